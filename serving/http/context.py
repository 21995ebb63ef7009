"""What every route of the HTTP API shares, built once per app: the runtime, the rate limiter, the
key that signs session keys, who may use which conversation, the operator desk (with the bridges
that carry its replies), the metrics, and the identity dependencies (``caller``, ``operator``,
``rate_limited``, ``operator_name``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Depends, Header, HTTPException, Request
from prometheus_client import CollectorRegistry, Counter, Histogram

from kefu.principal import ANONYMOUS, OPERATOR, Principal
from kefu.settings import Settings
from serving.channels import bridges as platform_bridges
from serving.channels import deliverers
from serving.channels.base import Bridge
from serving.identity import InvalidToken, operator_key_matches, signing_key, verify_token
from serving.limits import RateLimiter
from serving.operators.handoffs import OperatorDesk
from serving.runtime import Runtime
from serving.session_access import SessionAccess


@dataclass
class ApiContext:
    runtime: Runtime
    settings: Settings
    limiter: RateLimiter
    session_secret: str
    bridges: list[Bridge]
    desk: OperatorDesk
    access: SessionAccess
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests_total = Counter("kefu_chat_requests_total", "Chat turns", ["channel", "degraded", "intent"], registry=self.registry)
        self.latency = Histogram("kefu_chat_seconds", "Chat turn latency", ["channel"], registry=self.registry)
        # The identity dependencies, made once: FastAPI runs a dependency once per request by identity.
        self.caller, self.operator, self.rate_limited = self._identity()

    @classmethod
    def build(cls, runtime: Runtime) -> "ApiContext":
        settings = runtime.settings
        limiter = RateLimiter(settings.rate_limit_per_minute, redis_url=settings.redis_url)
        # Session keys are signed with KEFU_SECRET_KEY, shared by every replica; without it, with
        # the demo key in KEFU_HOME (serving.identity).
        session_secret = signing_key(settings)
        bridges = platform_bridges(runtime, limiter)
        return cls(runtime=runtime, settings=settings, limiter=limiter, session_secret=session_secret, bridges=bridges,
                   desk=OperatorDesk(runtime.assistant.store, deliverers(bridges)),
                   access=SessionAccess(runtime.assistant.store, session_secret, reserved_prefixes=tuple(f"{b.name}:" for b in bridges)))  # fmt: skip

    # ---- identity, as FastAPI dependencies

    def _identity(self):
        settings, limiter = self.settings, self.limiter

        def caller(authorization: str | None = Header(default=None)) -> Principal:
            """Anonymous without a header; a verified token's principal; an operator for an operator key."""
            if not authorization:
                return ANONYMOUS
            scheme, _, credential = authorization.partition(" ")
            credential = credential.strip()
            if scheme.lower() != "bearer" or not credential:
                raise HTTPException(status_code=401, detail="use Authorization: Bearer TOKEN")
            if operator_key_matches(credential, settings.operator_key_hashes):
                return OPERATOR
            try:
                return verify_token(self.session_secret, credential)
            except InvalidToken as exc:
                raise HTTPException(status_code=401, detail=str(exc)) from None

        def operator(principal: Principal = Depends(caller)) -> Principal:
            if principal.kind != "operator":
                raise HTTPException(status_code=401 if principal.kind == "anonymous" else 403, detail="operator credentials required")
            return principal

        def rate_limited(request: Request, principal: Principal = Depends(caller)) -> Principal:
            client = request.client.host if request.client else "unknown"
            for key in {f"ip:{client}", f"principal:{principal}"} - {f"principal:{ANONYMOUS}"}:
                if not limiter.allow(key):
                    raise HTTPException(status_code=429, detail="too many requests; try again in a minute", headers={"Retry-After": "60"})
            return principal

        return caller, operator, rate_limited


def operator_name(name: str | None = Header(default=None, alias="X-Kefu-Operator")) -> str:
    """Who among the operators acts (``X-Kefu-Operator``), for annotations and their audit."""
    return f"operator:{(name or 'operator').strip()[:64]}"
