"""One thread, one Lambda container: Powertools' resolvers made safe to run side by side.

Powertools' event handler stores the event being resolved on the `BaseRouter` *class*
(`BaseRouter.current_event = ...`), so that routers split across files can reach it. In Lambda
one process handles one event at a time and that is harmless; in one local process that serves
requests on several threads, every resolver of every function shares it, and a request can be
validated against another request's body. `install()` keeps `current_event` and
`lambda_context` per thread instead (both for `BaseRouter.x` and for `resolver.x`), which is
what separate containers give. Each resolver's own `context` stays per instance, so calls to one
function must still be serialized (the local runtime does).
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

_NAMES = ("current_event", "lambda_context")
_state = threading.local()
_lock = threading.Lock()


def _getter(name: str) -> Any:
    def get(_: Any) -> Any:
        try:
            return getattr(_state, name)
        except AttributeError:
            raise AttributeError(name) from None

    return get


def _setter(name: str) -> Any:
    def set_(_: Any, value: Any) -> None:
        setattr(_state, name, value)

    return set_


class _PerThreadClassAttributes(ABCMeta):
    """Metaclass of BaseRouter after install: `BaseRouter.current_event` reads and writes the
    calling thread's value."""


for _name in _NAMES:
    setattr(_PerThreadClassAttributes, _name, property(_getter(_name), _setter(_name)))


def install() -> None:
    """Idempotent. Must run before requests are served concurrently."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    with _lock:
        if type(BaseRouter) is _PerThreadClassAttributes:
            return
        for name in _NAMES:
            # A value left by an earlier resolve becomes this thread's; the class-level slot turns
            # into a property so that `resolver.current_event` reads the thread's value too.
            if name in vars(BaseRouter):
                setattr(_state, name, vars(BaseRouter)[name])
                delattr(BaseRouter, name)
            setattr(BaseRouter, name, property(_getter(name), _setter(name)))
        BaseRouter.__class__ = _PerThreadClassAttributes
