"""Model operations: the chat-model providers and their binding (``providers``), the in-process
demo model (``local_model``), the local vLLM server's supervisor (``vllm_server``), converting the
demo model (``convert``), its capability check (``check``) and the load bench's stand-in server
(``standin``)."""
