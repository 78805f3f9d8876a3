-- Orleans ADO.NET grain persistence (Microsoft.Orleans.Persistence.AdoNet 10.x), invariant "System.Data.SQLite".
--
-- The provider runs whatever SQL it finds in OrleansQuery under four keys, binding these parameters:
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
-- The query texts are SQL string literals below, so they must not contain single quotes.

CREATE TABLE OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,     -- NULL once cleared; the row stays to carry the version on
    ModifiedOn             TEXT    NOT NULL, -- informational only
    Version                INTEGER NOT NULL
);

-- One row per grain state, so that a write is a single atomic UPSERT. The hashes lead to keep seeks narrow; the
-- clear-text columns settle hash collisions. IFNULL maps "no extension" to the number 0, which never equals a
-- text value: a NULL extension stays distinct from every extension, the empty one included.
CREATE UNIQUE INDEX UX_OrleansStorage ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, IFNULL(GrainIdExtensionString, 0), ServiceId);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId;
');

-- A NULL version may only create the row; a version may only update a row still at that version. The EXISTS
-- guard stops a stale version from re-creating a row that was deleted meanwhile.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId,
     PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId,
       @PayloadBinary, CURRENT_TIMESTAMP, 1
WHERE @GrainStateVersion IS NULL
   OR EXISTS (SELECT 1 FROM OrleansStorage
              WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
                AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
                AND GrainTypeString = @GrainTypeString
                AND GrainIdExtensionString IS @GrainIdExtensionString
                AND ServiceId = @ServiceId)
ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString, IFNULL(GrainIdExtensionString, 0), ServiceId)
DO UPDATE SET PayloadBinary = excluded.PayloadBinary, ModifiedOn = excluded.ModifiedOn, Version = Version + 1
WHERE Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN IFNULL(@GrainStateVersion, 0) + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion
WHERE changes() > 0 OR @GrainStateVersion IS NOT NULL;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL, ModifiedOn = CURRENT_TIMESTAMP, Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion;

SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 ELSE @GrainStateVersion END AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL;
');
