-- Orleans ADO.NET grain persistence (Microsoft.Orleans.Persistence.AdoNet 10.4.2), invariant "Npgsql".
--
-- The provider runs the SQL it finds in OrleansQuery under four keys, binding these parameters (hashes integer,
-- N0/N1 bigint, strings text, @GrainStateVersion integer or NULL, @PayloadBinary bytea):
--   ReadFromStorageKey   @GrainIdHash @GrainIdN0 @GrainIdN1 @GrainTypeHash @GrainTypeString
--                        @GrainIdExtensionString @ServiceId                   -> rows (PayloadBinary, Version)
--   WriteToStorageKey    the same + @GrainStateVersion (NULL = never stored) + @PayloadBinary
--                                                                             -> NewGrainStateVersion
--   ClearStorageKey      the same as read + @GrainStateVersion               -> NewGrainStateVersion
--   DeleteStorageKey     as clear; used instead of it when DeleteStateOnClear = true.
-- Optimistic concurrency: a query that applied returns the new version. One that did not (stale version, or a
-- first write racing an existing row) returns the caller's own version, or no row when that version is NULL;
-- the provider then throws InconsistentStateException.
--
-- Each query is one statement, so it acts on one snapshot. Under READ COMMITTED two writers holding the same
-- version serialise on the row lock, and the second re-checks "Version = @GrainStateVersion" against the row the
-- first committed, so it applies nothing and gets its own version back.

CREATE TABLE OrleansStorage
(
    GrainIdHash            integer     NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdExtensionString text        NULL,
    ServiceId              text        NOT NULL,
    PayloadBinary          bytea       NULL,     -- NULL once cleared; the row stays to carry the version on
    ModifiedOn             timestamptz NOT NULL, -- informational only
    Version                integer     NOT NULL
);

-- One row per grain state, so that a first write is a single atomic INSERT ... ON CONFLICT. The hashes lead to
-- keep seeks narrow; the clear-text columns settle hash collisions. The two extension expressions keep a NULL
-- extension distinct from every extension, the empty one included, on any PostgreSQL version.
CREATE UNIQUE INDEX UX_OrleansStorage ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
     COALESCE(GrainIdExtensionString, ''), (GrainIdExtensionString IS NULL), ServiceId);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', $q$
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
  AND ServiceId = @ServiceId;
$q$);

-- A NULL version may only create the row; a version may only update a row still at that version (a stale version
-- never re-creates a row deleted meanwhile: the UPDATE finds nothing and nothing is inserted).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', $q$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
      AND @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
    RETURNING Version
), inserted AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
         PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString,
           @ServiceId, @PayloadBinary, now(), 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
                 COALESCE(GrainIdExtensionString, ''), (GrainIdExtensionString IS NULL), ServiceId)
    DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted
UNION ALL
SELECT @GrainStateVersion WHERE @GrainStateVersion IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', $q$
WITH updated AS (
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
      AND Version = @GrainStateVersion
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT @GrainStateVersion WHERE @GrainStateVersion IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
$q$);

-- The provider forgets the version after a delete; any value other than its own signals success.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', $q$
WITH deleted AS (
    DELETE FROM OrleansStorage
    WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
      AND ServiceId = @ServiceId
      AND Version = @GrainStateVersion
    RETURNING Version
)
SELECT Version + 1 AS NewGrainStateVersion FROM deleted
UNION ALL
SELECT @GrainStateVersion WHERE @GrainStateVersion IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deleted);
$q$);
