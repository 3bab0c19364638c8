"""The job engine: AIJob/AIJobItem, start_job → dispatch → run_chunk, the Pipeline shape, its admin and API."""
