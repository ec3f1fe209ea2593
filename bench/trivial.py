"""A trivial keep-alive HTTP server (one fixed JSON answer), to calibrate the load generators:
whatever rate a generator reaches against it is an upper bound of what it can measure.

    python -m bench.trivial PORT
"""

from __future__ import annotations

import asyncio
import sys

BODY = b'{"regions":[]}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
          b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)


class _Protocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        answers = self.buffer.count(b"\r\n\r\n")  # requests without a body (GET)
        if answers:
            self.buffer = self.buffer[self.buffer.rfind(b"\r\n\r\n") + 4:]
            self.transport.write(ANSWER * answers)  # type: ignore[attr-defined]


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Protocol, "127.0.0.1", port)
    print(f"trivial server on http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> int:
    factory = None
    try:
        import uvloop  # type: ignore[import-not-found]

        factory = uvloop.new_event_loop
    except ImportError:
        pass
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(serve(int(sys.argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
