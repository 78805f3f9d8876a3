-- Orleans ADO.NET cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4.2), invariant "Npgsql".
--
-- The provider (RelationalOrleansQueries / DbStoredQueries in the 10.4.2 assembly) refuses to start unless all nine
-- required keys exist, and uses a tenth, optional one when present. Parameters it binds (DeploymentId is the
-- cluster id; Address is text, Port/Generation/Status/ProxyPort/Version integer, times timestamptz):
--   UpdateIAmAlivetimeKey           DeploymentId Address Port Generation IAmAliveTime          (no result)
--   InsertMembershipVersionKey      DeploymentId                                              -> one 0/1 column
--   InsertMembershipKey             DeploymentId Address Port Generation SiloName HostName Status ProxyPort
--                                   StartTime IAmAliveTime Version                            -> one 0/1 column
--   UpdateMembershipKey             DeploymentId Address Port Generation Status SuspectTimes IAmAliveTime
--                                   Version                                                   -> one 0/1 column
--   MembershipReadRowKey            DeploymentId Address Port Generation                      -> rows
--   MembershipReadAllKey            DeploymentId                                              -> rows
--   DeleteMembershipTableEntriesKey DeploymentId                                              (no result)
--   GatewaysQueryKey                DeploymentId Status (= 3, Active)                         -> Address ProxyPort Generation
--   CleanupDefunctSiloEntriesKey    DeploymentId IAmAliveTime (the cut-off)                   (no result)
--   CleanupDefunctSiloEntryKey      (optional) DeploymentId Address Port Generation SuspectTimes StartTime
--                                   IAmAliveTime: the values of one Dead row as the provider last read it
-- 10.4.2 binds no MetadataJson: the newer upstream script that passes @MetadataJson does not fit this version.
--
-- The table version is the optimistic-concurrency token of the whole membership table: an insert or update
-- succeeds only if it moves the version from the value the silo read, in the same statement that changes the row,
-- and a read returns the rows with the version of one snapshot. Every statement below is a single SQL statement,
-- so it sees one snapshot and commits or fails as a whole.
--
-- Reading rows: a StartTime of NULL (the version row joined to no silo) means "no entry"; the first row's Version
-- is the table version, so both reads return the version row even when no silo matches.

CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     text         NOT NULL,
    HostName     text         NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer      NOT NULL,  -- 0 when the silo has no gateway; the provider reads it as int
    SuspectTimes text         NULL,      -- "silo,time|silo,time", written and parsed by the provider
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,

    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Liveness heartbeat; never moves the time backwards if two writes cross.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
SET IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$);

-- 1 if this call created the cluster's version row, 0 if it already existed.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', $q$
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT COUNT(*)::integer AS Inserted FROM inserted;
$q$);

-- Bumps the table version from @Version and inserts the silo's row, or does neither (returns 0): the version row's
-- lock serialises writers, and a writer that waited re-checks "Version = @Version" against the committed row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version AND Version < 2147483647
      AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                      WHERE DeploymentId = @DeploymentId
                        AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
           @StartTime, @IAmAliveTime
    FROM bumped
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING
    RETURNING 1
)
SELECT COUNT(*)::integer AS Inserted FROM inserted;
$q$);

-- Bumps the table version from @Version and updates the silo's row, or does neither (returns 0).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId
      AND Version = @Version AND Version < 2147483647
      AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                  WHERE DeploymentId = @DeploymentId
                    AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), updated AS (
    UPDATE OrleansMembershipTable AS m
    SET Status = @Status,
        SuspectTimes = @SuspectTimes,
        IAmAliveTime = GREATEST(m.IAmAliveTime, @IAmAliveTime)
    FROM bumped
    WHERE m.DeploymentId = bumped.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT COUNT(*)::integer AS Updated FROM updated;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId
      AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', $q$
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
$q$);

-- Two statements; Npgsql runs a command's statements in one implicit transaction.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$);

-- Fallback bulk clean-up, used by the provider only when CleanupDefunctSiloEntryKey is missing. It removes Dead
-- (6) rows quiet since the cut-off and, being unable to check individual suspicion votes, only those without any.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Status = 6
  AND IAmAliveTime < @IAmAliveTime AND StartTime < @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = '';
$q$);

-- The provider reads all rows, picks the Dead ones it considers old enough, and deletes each only if the row still
-- holds exactly the values it read (a row changed meanwhile stays). The provider reads back an empty SuspectTimes
-- as "none" and then binds NULL, hence the COALESCE on both sides.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId
  AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6
  AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
  AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$);
