"""Who may continue, read or rate a conversation over the HTTP API.

Session ids are issued by the server only (a new conversation starts without one). A signed-in
caller continues the conversations of its own identity; a conversation begun without a token
continues only with its session key, which is bound to whom the conversation acts for, so it
changes when the buyer verifies in chat (see ``serving.identity.session_key``).
"""

from __future__ import annotations

from bot.memory import ConversationStore
from kefu.principal import ANONYMOUS, Principal, access_by_identity
from serving.identity import session_key, session_key_matches


class InvalidSessionId(ValueError):
    """A session id the API may not use (a bridge's own ids)."""


class SessionRefused(LookupError):
    """No such session, or not for this caller: answered as 404, so ids cannot be probed."""


class SessionAccess:
    def __init__(self, store: ConversationStore, secret: str, reserved_prefixes: tuple[str, ...] = ()) -> None:
        self.store = store
        self.secret = secret
        # A bridge's session ids ("slack:…", "wecom:…") are its own: an API caller may not use
        # one, or it could sit in (and read) a WeCom user's chat.
        self.reserved_prefixes = reserved_prefixes

    def check(self, session_id: str | None, principal: Principal, key: str | None) -> None:
        """Return when ``principal`` (holding ``key``) may use ``session_id``; None starts a new one."""
        if session_id is None:
            return
        if principal.kind != "operator" and session_id.startswith(self.reserved_prefixes):
            raise InvalidSessionId(f"session_id: ids starting with {session_id.split(':', 1)[0]}: belong to that bridge")
        conversation = self.store.find(session_id)
        if conversation is None:
            raise SessionRefused("no such session: session ids are issued by the server (leave session_id out to start one)")
        access = access_by_identity(principal, conversation.principal)
        if access == "granted" or access == "with_key" and session_key_matches(self.secret, session_id, conversation.principal, key):
            return
        raise SessionRefused("no such session for this caller (a conversation begun without a token continues only with its "
                             "X-Kefu-Session-Key)")  # fmt: skip

    def key_for(self, session_id: str) -> str:
        """The key of a server-issued session as it stands now: after a turn in which the buyer
        verified, a new one; before its first turn is stored, the anonymous one."""
        conversation = self.store.find(session_id)
        return session_key(self.secret, session_id, str(ANONYMOUS) if conversation is None else conversation.principal)
