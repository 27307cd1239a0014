"""The project flow graph: resolution of calls, edges, verification effects, function summaries,
framework shapes (frameworks/) and the propagation of model output over it."""
