//! Who owns what in Fieldnotes' private PostgreSQL cluster. The blog connects as a login role of
//! its own, which owns the blog's database and everything in it and can do nothing else; the
//! cluster's superuser only creates that role and database, and hands the database over when a
//! cluster made by an older Fieldnotes left everything owned by the superuser.
//!
//! Statements that name roles and databases take no parameters: PostgreSQL's `format()` spells
//! them out, quoting names with `%I` and passwords with `%L`, and they are run as it wrote them.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Lets `role` sign in with `password`, creating it if need be, as a role that is no superuser
/// and may create neither databases nor roles.
pub async fn set_up_login_role(
    conn: &mut PgConnection,
    role: &str,
    password: &str,
) -> sqlx::Result<()> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS "exists!""#,
        role,
    )
    .fetch_one(&mut *conn)
    .await?;
    let command = if exists { "ALTER ROLE" } else { "CREATE ROLE" };
    let statement = sqlx::query_scalar!(
        r#"SELECT format(
               '%s %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
               $1::text, $2::text, $3::text) AS "statement!""#,
        command,
        role,
        password,
    )
    .fetch_one(&mut *conn)
    .await?;
    execute(conn, statement).await
}

/// Sets the password `role` signs in with.
pub async fn set_password(conn: &mut PgConnection, role: &str, password: &str) -> sqlx::Result<()> {
    let statement = sqlx::query_scalar!(
        r#"SELECT format('ALTER ROLE %I PASSWORD %L', $1::text, $2::text) AS "statement!""#,
        role,
        password,
    )
    .fetch_one(&mut *conn)
    .await?;
    execute(conn, statement).await
}

/// Creates `database` owned by `owner`, or makes `owner` its owner. Whether it existed with
/// another owner, whose objects in it may need handing over too.
pub async fn set_up_database(
    conn: &mut PgConnection,
    database: &str,
    owner: &str,
) -> sqlx::Result<bool> {
    let current_owner = sqlx::query_scalar!(
        r#"SELECT pg_get_userbyid(datdba)::text AS "owner!" FROM pg_database WHERE datname = $1"#,
        database,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let (template, changed) = match current_owner {
        Some(current) if current == owner => return Ok(false),
        Some(_) => ("ALTER DATABASE %I OWNER TO %I", true),
        None => ("CREATE DATABASE %I OWNER %I", false),
    };
    let statement = sqlx::query_scalar!(
        r#"SELECT format($1::text, $2::text, $3::text) AS "statement!""#,
        template,
        database,
        owner,
    )
    .fetch_one(&mut *conn)
    .await?;
    execute(conn, statement).await?;
    Ok(changed)
}

/// Makes `owner` the owner of everything a superuser made in the database `conn` is connected
/// to, outside PostgreSQL's own schemas and extensions, in one transaction; how many objects
/// changed hands.
pub async fn hand_over_objects(conn: &mut PgConnection, owner: &str) -> sqlx::Result<usize> {
    let statements = sqlx::query_scalar!(
        r#"
        WITH superusers AS (SELECT oid FROM pg_roles WHERE rolsuper),
        own_schemas AS (
            SELECT oid FROM pg_namespace
            WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%'
        ),
        members AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
        SELECT format('ALTER %s %s OWNER TO %I', kind, name, $1::text) AS "statement!"
        FROM (
            SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                       WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                   c.oid::regclass::text
            FROM pg_class c
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND c.relnamespace IN (SELECT oid FROM own_schemas)
              AND c.relowner IN (SELECT oid FROM superusers)
              AND ('pg_class'::regclass::oid, c.oid) NOT IN (SELECT classid, objid FROM members)
              -- The sequence behind a column changes hands with its table.
              AND NOT EXISTS (
                  SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
            UNION ALL
            SELECT 'ROUTINE', p.oid::regprocedure::text
            FROM pg_proc p
            WHERE p.pronamespace IN (SELECT oid FROM own_schemas)
              AND p.proowner IN (SELECT oid FROM superusers)
              AND ('pg_proc'::regclass::oid, p.oid) NOT IN (SELECT classid, objid FROM members)
            UNION ALL
            -- Types of their own: not a table's row type, an array or a range's multirange.
            SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype::text
            FROM pg_type t
            LEFT JOIN pg_class r ON r.oid = t.typrelid
            WHERE (t.typtype IN ('e', 'd', 'r') OR r.relkind = 'c')
              AND t.typnamespace IN (SELECT oid FROM own_schemas)
              AND t.typowner IN (SELECT oid FROM superusers)
              AND ('pg_type'::regclass::oid, t.oid) NOT IN (SELECT classid, objid FROM members)
            UNION ALL
            SELECT 'SCHEMA', quote_ident(n.nspname)
            FROM pg_namespace n
            WHERE n.oid IN (SELECT oid FROM own_schemas)
              AND n.nspowner IN (SELECT oid FROM superusers)
        ) AS objects (kind, name)
        "#,
        owner,
    )
    .fetch_all(&mut *conn)
    .await?;
    if statements.is_empty() {
        return Ok(0);
    }
    let mut transaction = conn.begin().await?;
    for statement in &statements {
        sqlx::raw_sql(AssertSqlSafe(statement.as_str()))
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await?;
    Ok(statements.len())
}

/// Makes the server read its configuration files (pg_hba.conf among them) again.
pub async fn reload_configuration(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query_scalar!(r#"SELECT pg_reload_conf() AS "reloaded!""#)
        .fetch_one(conn)
        .await
        .map(drop)
}

async fn execute(conn: &mut PgConnection, statement: String) -> sqlx::Result<()> {
    sqlx::raw_sql(AssertSqlSafe(statement))
        .execute(conn)
        .await
        .map(drop)
}
