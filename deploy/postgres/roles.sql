-- Least privilege in PostgreSQL: one login role per service, owning its own schema and nothing
-- else. Run as the superuser on every start (deploy/postgres/setup.sh; the LeastPrivilege tests
-- apply this same file). Idempotent, and it upgrades a database made before roles existed: the
-- schemas the superuser created, and everything in them, pass to the service's role.
-- Passwords are not set here (setup.sh sets them from the environment): this file holds no secret.
-- The schemas are created here, owned by their roles, because Marten's "create schema if not
-- exists" still needs CREATE on the database, which no service role has.
DO $setup$
DECLARE
  service record;
  obj record;
BEGIN
  -- Nobody but the roles named here connects; nobody creates schemas or temporary tables.
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;

  FOR service IN SELECT * FROM (VALUES
      ('mdrmesh_incidents', 'incidents'),
      ('mdrmesh_approvals', 'approvals'),
      ('mdrmesh_executor', 'executor'),
      ('mdrmesh_notifications', 'notifications'),
      ('mdrmesh_gateway', 'access')) AS s(role, schema)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = service.role) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', service.role);
    END IF;
    -- Also undoes anything granted by hand since.
    EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', service.role);
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), service.role);
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', service.schema, service.role);
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', service.schema, service.role);
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', service.schema);

    -- Tables, views and free sequences (a table's own sequences follow the table).
    FOR obj IN
      SELECT c.oid::regclass AS name,
             CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                            WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
      FROM pg_class c
      WHERE c.relnamespace = service.schema::regnamespace
        AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND c.relowner <> service.role::regrole
        AND NOT (c.relkind = 'S' AND EXISTS (
          SELECT 1 FROM pg_depend d
          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    LOOP
      EXECUTE format('ALTER %s %s OWNER TO %I', obj.kind, obj.name, service.role);
    END LOOP;

    FOR obj IN
      SELECT p.oid::regprocedure AS name FROM pg_proc p
      WHERE p.pronamespace = service.schema::regnamespace AND p.proowner <> service.role::regrole
    LOOP
      EXECUTE format('ALTER ROUTINE %s OWNER TO %I', obj.name, service.role);
    END LOOP;

    -- Types of their own (enums, domains, composite types); a table's row type follows the table.
    FOR obj IN
      SELECT t.oid::regtype AS name FROM pg_type t
      WHERE t.typnamespace = service.schema::regnamespace AND t.typowner <> service.role::regrole
        AND t.typtype IN ('c', 'd', 'e', 'r', 'm')
        AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
    LOOP
      EXECUTE format('ALTER TYPE %s OWNER TO %I', obj.name, service.role);
    END LOOP;
  END LOOP;
END
$setup$;
