-- factstore schema: the source of truth for the tables (factstore/schema.py says what they
-- mean; tests/test_schema.py checks that the two agree).
-- Split into named migrations by the `-- migration: NAME` lines, in order. `facts init` applies
-- all of them as the store's first commit; a store made by an earlier release gets the ones it
-- lacks (factstore/migrations.py). A shipped migration is never edited: a change is a new one.
-- Applied to both backends (doltlite's SQLite dialect and Dolt's MySQL
-- dialect), so it sticks to what both accept: VARCHAR ids, MEDIUMTEXT for free text (64 KiB of
-- any Unicode), ISO-8601 strings for dates (they sort and compare the same everywhere).
-- Keys are stable, human-readable ids, never auto-increment: auto-increment keys collide when
-- branches merge. Every row carries who recorded it and why, so Dolt's per-row history shows
-- both even when one commit touched many rows, and a `rev` counter used for compare-and-set.
-- Statements are separated by lines holding only ';' so the loader needs no SQL parser.

-- migration: 0001_initial

CREATE TABLE sources (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    title MEDIUMTEXT NOT NULL,
    uri MEDIUMTEXT,
    kind VARCHAR(32) NOT NULL,
    authority INT NOT NULL,
    captured_at VARCHAR(32),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE TABLE entities (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    kind VARCHAR(64) NOT NULL,
    name MEDIUMTEXT NOT NULL,
    description MEDIUMTEXT,
    source_id VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE TABLE aliases (
    entity_id VARCHAR(255) NOT NULL,
    normalized VARCHAR(255) NOT NULL,
    alias MEDIUMTEXT NOT NULL,
    alias_kind VARCHAR(32) NOT NULL,
    valid_from VARCHAR(10),
    valid_to VARCHAR(10),
    source_id VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL,
    PRIMARY KEY (entity_id, normalized)
)
;
CREATE TABLE relations (
    src_id VARCHAR(255) NOT NULL,
    rel VARCHAR(64) NOT NULL,
    dst_id VARCHAR(255) NOT NULL,
    valid_from VARCHAR(10),
    valid_to VARCHAR(10),
    source_id VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL,
    PRIMARY KEY (src_id, rel, dst_id)
)
;
CREATE TABLE definitions (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    term MEDIUMTEXT NOT NULL,
    scope VARCHAR(64),
    text MEDIUMTEXT NOT NULL,
    formula MEDIUMTEXT,
    owner VARCHAR(255),
    valid_from VARCHAR(10),
    valid_to VARCHAR(10),
    source_id VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE TABLE facts (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    subject_id VARCHAR(255) NOT NULL,
    predicate VARCHAR(255) NOT NULL,
    value MEDIUMTEXT NOT NULL,
    value_type VARCHAR(16) NOT NULL,
    unit VARCHAR(64),
    period VARCHAR(32),
    valid_from VARCHAR(10),
    valid_to VARCHAR(10),
    source_id VARCHAR(255),
    quote MEDIUMTEXT,
    confidence DOUBLE,
    supersedes VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE INDEX facts_subject ON facts (subject_id, predicate)
;
CREATE TABLE rules (
    id VARCHAR(255) NOT NULL PRIMARY KEY,
    applies_to VARCHAR(255) NOT NULL,
    text MEDIUMTEXT NOT NULL,
    overrides VARCHAR(255),
    valid_from VARCHAR(10),
    valid_to VARCHAR(10),
    source_id VARCHAR(255),
    status VARCHAR(16) NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE TABLE config (
    name VARCHAR(100) NOT NULL PRIMARY KEY,
    value MEDIUMTEXT NOT NULL,
    recorded_by VARCHAR(255) NOT NULL,
    reason MEDIUMTEXT,
    rev INT NOT NULL
)
;
CREATE TABLE schema_migrations (
    name VARCHAR(100) NOT NULL PRIMARY KEY,
    applied_at VARCHAR(32) NOT NULL
)
;
-- migration: 0002_packs
-- The render log: one row per context pack rendered, so `facts replay`
-- can rebuild exactly what a model was shown. Reads must not flood the commit log, so rows are
-- written to the working set without a Dolt commit; the next write first commits whatever is
-- pending as its own commit ("Record rendered context packs"), so knowledge commits never
-- carry log rows and reverting one never touches the log. The id is unique per render (two
-- branches logging the same pack never conflict on merge); `hash` names the pack.
CREATE TABLE packs (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    hash VARCHAR(64) NOT NULL,
    version VARCHAR(64) NOT NULL,
    question MEDIUMTEXT NOT NULL,
    options MEDIUMTEXT NOT NULL,
    items MEDIUMTEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    created_by VARCHAR(255)
)
;
CREATE INDEX packs_hash ON packs (hash)
-- migration: 0003_spellings_captured
-- Spellings of one name: an entity may hold several spellings that normalise alike ("Orvik"
-- as its name, "ORVIK" as its ticker; "Granite Point Corp" beside "Granite Point
-- Corporation"). The alias row of a normalised name keeps its first spelling in `alias` and
-- `alias_kind`, and each further spelling (with its kind, dates, source and status) in
-- `spellings`, a JSON list; resolution treats them as one key. The key (entity_id,
-- normalized) is unchanged, so alias ids, history and merges with branches made before this
-- migration still work (a changed primary key cannot be merged across by Dolt).
-- Exact lookups read indexes on the normalised key instead of the alias index:
-- `entities.normalized` and `definitions.normalized` hold the normalised name or term
-- (filled by the code: factstore/migrations.py).
-- A fact keeps the day it was captured (`facts.captured_at`), so re-dating a source no longer
-- re-dates the facts taken from it before; existing facts take their source's captured_at.
ALTER TABLE aliases ADD COLUMN spellings MEDIUMTEXT
;
CREATE INDEX aliases_normalized ON aliases (normalized)
;
ALTER TABLE entities ADD COLUMN normalized VARCHAR(255)
;
CREATE INDEX entities_normalized ON entities (normalized)
;
ALTER TABLE definitions ADD COLUMN normalized VARCHAR(255)
;
CREATE INDEX definitions_normalized ON definitions (normalized)
;
ALTER TABLE facts ADD COLUMN captured_at VARCHAR(32)
;
UPDATE facts SET captured_at = (SELECT sources.captured_at FROM sources
    WHERE sources.id = facts.source_id)
;
-- migration: 0004_packs_copy
-- The render log keeps a copy of each pack as it was built (`pack`: the pack's JSON,
-- zlib-compressed and base64-encoded, about the size of its text), so `facts replay` still
-- shows what a model was given after an upgrade of factstore that builds the same question
-- differently from the same knowledge. Replay rebuilds from the knowledge first, and says
-- when it shows the copy instead.
ALTER TABLE packs ADD COLUMN pack MEDIUMTEXT
;
-- migration: 0005_apostrophes_joined
-- An apostrophe inside a word no longer parts it in a normalised name ("O'Brien" is
-- "obrien", as "OBrien" is; "D’Ávila" is "davila"; "Macy's" stays "macy s"). The code
-- recomputes the normalised names that change (factstore/migrations.py): entities' and
-- terms', and the key of the alias rows whose spellings now normalise otherwise (each row
-- moves to its new key, beside any row of its entity already under it). Nothing else changes.
