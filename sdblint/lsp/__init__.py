"""`sdblint server`: a Language Server over stdio (pygls). Editors send their buffers; the pipeline
checks them in memory with the project on disk as context and the cache warm between edits."""
