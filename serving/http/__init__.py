"""The HTTP API by job: ``context`` (what every route shares: the runtime, identity and rate-limit
dependencies, session access, the operator desk, metrics), ``errors`` (JSON bodies, never
tracebacks), and one router per job: ``chat`` (chat, stream, sessions, feedback), ``operators``
(handoffs, tools, annotations, analytics, exports), ``health`` (health, readiness, metrics, the
widget script). ``serving.api.create_app`` puts them together with the platform bridges and the UI."""
