"""Reading a Dolt server's result rows faster than pymysql's own reader.

pymysql parses each row of a result in Python: per row a packet object and a few method
calls, per cell three more (the length, the bytes, their decoding). A 100k-fact export reads
about two million cells, and that parsing was most of its time. `result_class()` is
pymysql's buffered result with its rows read by `_row` below: the packets are read straight
off the connection's buffered socket, each row is decoded once as Latin-1 (a character per
byte) and its cells are sliced from that text, only a cell holding other than ASCII decoded
again from its bytes by its column's encoding. Everything else (the column descriptions, OK,
EOF and error packets, unbuffered results) is pymysql's own; the cells come out exactly as
pymysql's reader makes them (tests/test_mysql_rows.py compares the two).
"""

from __future__ import annotations

from functools import cache
from typing import Any

_NULL = 0xFB  # a cell's length byte saying NULL
_TWO, _THREE = 0xFC, 0xFD  # a length in the next 2 or 3 bytes (0xFE: the next 8)
_EOF, _ERROR = 0xFE, 0xFF  # the first byte of the end of the rows, or of an error
_PART = 0xFFFFFF  # a packet this long is followed by the rest of its payload


def _row(data: bytes, converters: list[tuple[str | None, Any]]) -> tuple[Any, ...]:
    """One row's cells from its packet's payload, as pymysql's reader makes them: each
    decoded by its column's encoding (None: bytes) and then given to its converter."""
    text = data.decode("latin-1")  # a character per byte: cells are sliced from it
    plain = data.isascii()  # (a length byte of 128-250, or NULL's 251, is not ASCII)
    size = len(data)
    pos = 0
    row: list[Any] = []
    append = row.append
    for encoding, converter in converters:
        if pos >= size:
            break  # a row shorter than its columns: pymysql stops there too
        length = data[pos]
        pos += 1
        if length >= _NULL:
            if length == _NULL:
                append(None)
                continue
            width = 2 if length == _TWO else 3 if length == _THREE else 8
            length = int.from_bytes(data[pos:pos + width], "little")
            pos += width
        end = pos + length
        if encoding is None:
            cell: Any = data[pos:end]
        else:
            cell = text[pos:end]
            if not plain and not cell.isascii():  # str.isascii reads a flag
                cell = data[pos:end].decode(encoding)
        pos = end
        append(cell if converter is None else converter(cell))
    return tuple(row)


@cache
def result_class() -> Any:
    """pymysql's MySQLResult with its rows read by `_row`."""
    from pymysql import connections, err

    base: Any = connections.MySQLResult
    packet: Any = getattr(connections, "MysqlPacket")  # noqa: B009 (untyped in the stubs)

    class Result(base):  # type: ignore[misc]
        def _read_rowdata_packet(self) -> None:
            conn: Any = getattr(self, "connection")  # noqa: B009 (typed by pymysql's base)
            if (getattr(conn, "_current_timeout", None) != getattr(conn, "_read_timeout", None)
                    or not hasattr(conn, "_next_seq_id")):  # a timeout to set, or another
                super()._read_rowdata_packet()            # pymysql: its own reader
                return
            rows: list[tuple[Any, ...]] = []
            append = rows.append
            converters = self.converters
            while True:
                data = _payload(conn)
                if data and data[0] == _EOF and len(data) < 9:
                    self._check_packet_is_eof(packet(data, conn.encoding))
                    self.connection = None  # as pymysql: no cycle through the result
                    break
                if data and data[0] == _ERROR:
                    packet(data, conn.encoding).raise_for_error()
                append(_row(data, converters))
            self.affected_rows = len(rows)
            self.rows = tuple(rows)

    def _payload(conn: Any) -> bytes:
        """The next packet's payload (joined, if it came in parts), its sequence number
        checked as pymysql's `_read_packet` does."""
        parts = []
        while True:
            header = conn._read_bytes(4)
            if header[3] != conn._next_seq_id:
                conn._force_close()
                if header[3] == 0:
                    raise err.OperationalError(2013, "Lost connection to MySQL server "
                                                     "during query")
                raise err.InternalError(f"Packet sequence number wrong - got {header[3]} "
                                        f"expected {conn._next_seq_id}")
            conn._next_seq_id = (conn._next_seq_id + 1) % 256
            length = header[0] | header[1] << 8 | header[2] << 16
            parts.append(conn._read_bytes(length))
            if length < _PART:
                return parts[0] if len(parts) == 1 else b"".join(parts)

    return Result


__all__ = ["result_class"]
