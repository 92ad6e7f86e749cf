"""How factstore's connections to a Dolt server are made: pymysql's own "preferred" TLS mode
(TLS when the server offers it, unverified) without the system's CA store loaded, and the TLS
options a caller names handled by pymysql itself."""

from __future__ import annotations

import ssl

import pymysql

from factstore.backends.dolt import pymysql_connect

def test_the_preferred_tls_context_is_pymysqls_without_the_ca_store() -> None:
    ours = pymysql_connect(host="127.0.0.1", port=1, defer_connect=True)
    theirs = pymysql.connect(host="127.0.0.1", port=1, defer_connect=True)
    assert (ours.ssl, ours._ssl_required) == (theirs.ssl, theirs._ssl_required) == (True, False)
    for attr in ("protocol", "verify_mode", "check_hostname", "verify_flags", "options",
                 "minimum_version", "maximum_version"):
        assert getattr(ours.ctx, attr) == getattr(theirs.ctx, attr), attr
    assert ours.ctx.verify_mode == ssl.CERT_NONE
    assert ours.ctx.cert_store_stats()["x509_ca"] == 0


def test_named_tls_options_are_pymysqls_own() -> None:
    ours = pymysql_connect(host="127.0.0.1", port=1, defer_connect=True, ssl_verify_cert=True)
    assert ours._ssl_required and ours.ctx.verify_mode == ssl.CERT_REQUIRED
