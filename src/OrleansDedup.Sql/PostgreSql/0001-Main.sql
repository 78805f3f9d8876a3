-- The table every Orleans ADO.NET provider (clustering, persistence, reminders) reads its SQL from, for invariant
-- "Npgsql". Each provider loads the texts of its own keys at start-up and runs them with named @Parameters; the
-- later scripts add the keys.
--
-- Query texts are written as dollar-quoted literals ($q$ ... $q$), so they may contain single quotes.
-- Unquoted identifiers fold to lower case in PostgreSQL; Npgsql's GetOrdinal falls back to a case-insensitive
-- match, which is how the providers find "QueryKey", "Version" and the rest.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);
