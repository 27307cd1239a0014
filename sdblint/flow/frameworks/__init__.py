"""Framework shapes that are more than a catalog entry: LangGraph graph builders, tool entry points."""
