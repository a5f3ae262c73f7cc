//! Every setting of the `fieldnotes` binary, as typed command-line options that can also come from
//! the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::client_address::TrustedProxies;

#[derive(Debug, Parser)]
#[command(
    name = "fieldnotes",
    version,
    about = "Fieldnotes: a blog engine for research groups, newsrooms and writers",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// How the log on standard error is written: `text` for people, `json` (one object a line,
    /// with the request's span) for log collectors.
    #[arg(long, global = true, env = "FIELDNOTES_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a command, `fieldnotes` serves the blog with these settings.
    #[command(flatten)]
    pub serve: ServeSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseSettings {
    /// The PostgreSQL database to use, as postgres://user:password@host/database. Without it,
    /// Fieldnotes runs a private PostgreSQL server of its own in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Where Fieldnotes keeps its private PostgreSQL cluster.
    #[arg(
        long,
        env = "FIELDNOTES_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the blog over HTTP (what `fieldnotes` does without a command).
    Serve(ServeSettings),
    /// Import a WordPress export file (WXR 1.0, 1.1 or 1.2): authors, categories, tags, posts,
    /// pages and comments. Importing the same file again updates what it imported before.
    Import(ImportSettings),
    /// Run a command with DATABASE_URL (and psql's PGHOST, PGUSER, PGPASSFILE…) set to the
    /// blog's database, starting the private PostgreSQL for as long as it runs:
    /// `fieldnotes exec -- psql`, or `fieldnotes exec -- pg_dump --format=custom --file=blog.dump`
    /// for a backup.
    Exec(ExecSettings),
    /// Manage the people who can sign in and write.
    User(UserSettings),
    /// Show or change how comments are handled.
    Comments(CommentSettingsArgs),
    /// Show or change the blog's title and tagline.
    Site(SiteSettingsArgs),
    /// Write the whole blog as a WordPress export (WXR 1.2): authors, categories, tags, posts
    /// and pages of every status, and comments. `fieldnotes import` and WordPress's importer
    /// read it.
    Export(ExportSettings),
}

#[derive(Debug, Clone, Args)]
pub struct ExportSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Where readers reach the blog: the base of the posts' addresses in the export.
    #[arg(
        long,
        env = "FIELDNOTES_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: String,
    /// The file to write, replaced only once the export is complete; standard output without
    /// one.
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SiteSettingsArgs {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// The blog's name, in page titles, the header and feeds.
    #[arg(long, value_parser = app::settings::site_title)]
    pub title: Option<String>,
    /// A line under the title saying what the blog is about; "" for none.
    #[arg(long, value_parser = app::settings::site_tagline)]
    pub tagline: Option<String>,
    /// The language the blog is written in, a tag such as en, zh or zh-Hant.
    #[arg(long, value_parser = app::settings::language_tag)]
    pub language: Option<String>,
    /// The time zone dates are written in, such as UTC, Europe/Berlin or Asia/Shanghai.
    #[arg(long, value_parser = app::settings::time_zone)]
    pub time_zone: Option<String>,
    /// How dates are written, as WordPress names it: "F jS, Y", "F j, Y", "j F Y", "Y-m-d",
    /// "m/d/Y", "d/m/Y" or "Y年n月j日".
    #[arg(long, value_parser = app::settings::date_format)]
    pub date_format: Option<app::model::DateFormat>,
    /// How many posts a page of a listing or a search shows (1 to 100).
    #[arg(long, value_parser = app::settings::posts_per_page)]
    pub posts_per_page: Option<i32>,
}

#[derive(Debug, Clone, Args)]
pub struct CommentSettingsArgs {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// List pingbacks and trackbacks under posts, apart from the comments.
    #[arg(long)]
    pub show_pings: Option<bool>,
    /// Words (comma-separated, any case) that send a comment to the spam queue; "" for none.
    #[arg(long)]
    pub spam_words: Option<String>,
    /// A comment sent sooner than this many seconds after its form appeared goes to the spam
    /// queue (0 to 600; 3 at first).
    #[arg(long, value_parser = writing_seconds)]
    pub min_writing_seconds: Option<i32>,
}

fn writing_seconds(text: &str) -> Result<i32, String> {
    let seconds = text
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of seconds"))?;
    app::settings::min_writing_seconds(seconds)
}

#[derive(Debug, Clone, Args)]
pub struct ServeSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// A streaming replica of the database to answer anonymous readers from, as
    /// postgres://user:password@host/database; repeat the option (or separate them with commas)
    /// for several. A replica more than 5 seconds behind, or that does not answer, is skipped.
    #[arg(
        long = "database-read-url",
        env = "DATABASE_READ_URL",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub database_read_urls: Vec<String>,
    /// The address to listen on.
    #[arg(long, env = "FIELDNOTES_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Where readers reach the blog, such as https://blog.example.org: the base of the absolute
    /// links in feeds, the sitemap and link previews. Defaults to http:// and the address.
    #[arg(long, env = "FIELDNOTES_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Sites whose pages may read the JSON API from the browser, comma-separated
    /// (https://example.org,https://other.example), or `*` for any. None by default.
    #[arg(long, env = "FIELDNOTES_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// The reverse proxies in front of the blog, comma-separated addresses or ranges
    /// (10.0.0.2,fd00::/8). Only for a connection from one of them is the reader's address taken
    /// from X-Forwarded-For (or Forwarded), for the limits on signing in and commenting; for
    /// any other the connection's address counts. None by default.
    #[arg(long, env = "FIELDNOTES_TRUSTED_PROXIES", value_parser = TrustedProxies::parse)]
    pub trusted_proxies: Option<TrustedProxies>,
    /// Do not import the demo blog into a new, empty database.
    #[arg(long, env = "FIELDNOTES_NO_DEMO")]
    pub no_demo: bool,
    /// The directory holding the compiled front end (made by `make build`).
    #[arg(long, env = "FIELDNOTES_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Megabytes of memory for the pages, feeds and API answers kept for readers; 0 keeps none.
    #[arg(long, env = "FIELDNOTES_PAGE_CACHE_MB", default_value_t = 32, value_parser = clap::value_parser!(u32).range(0..=65_536))]
    pub page_cache_mb: u32,
    /// A secret that lets callers elsewhere than this machine read `/metrics`, sent as
    /// `Authorization: Bearer <token>`; without it, only the machine itself can.
    #[arg(long, env = "FIELDNOTES_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub limits: RequestLimits,
}

/// How long, and how many at once, requests may hold the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Args)]
pub struct RequestLimits {
    /// Seconds a request may take from its headers to its answer, reading its body included
    /// (plus a second for every 32 KB of its body); past them it is answered 503, or 408 when its
    /// body had not arrived. A client that takes no part of an answer for as long is disconnected.
    #[arg(long, env = "FIELDNOTES_REQUEST_TIMEOUT", default_value_t = RequestLimits::default().request_timeout, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Seconds a client may take to send a request's headers, and a connection may stay idle
    /// between requests; past them the connection is closed.
    #[arg(long, env = "FIELDNOTES_HEADER_TIMEOUT", default_value_t = RequestLimits::default().header_timeout, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds one database statement may run for a request before PostgreSQL cancels it.
    #[arg(long, env = "FIELDNOTES_STATEMENT_TIMEOUT", default_value_t = RequestLimits::default().statement_timeout, value_parser = clap::value_parser!(u64).range(1..))]
    pub statement_timeout: u64,
    /// Requests served at once; more are answered 503 at once, with a Retry-After.
    #[arg(long, env = "FIELDNOTES_MAX_REQUESTS", default_value_t = RequestLimits::default().max_requests, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_requests: u32,
    /// Connections open at once; further clients wait until one closes.
    #[arg(long, env = "FIELDNOTES_MAX_CONNECTIONS", default_value_t = RequestLimits::default().max_connections, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,
}

impl RequestLimits {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout)
    }

    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout)
    }

    pub fn statement_timeout(&self) -> Duration {
        Duration::from_secs(self.statement_timeout)
    }
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            request_timeout: 30,
            header_timeout: 10,
            statement_timeout: 10,
            max_requests: 256,
            max_connections: 512,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ImportSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// The WordPress export (Tools → Export in WordPress).
    pub file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ExecSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    /// Sign in to the private PostgreSQL as its superuser rather than as the blog's own role:
    /// for maintenance, and for test suites that create a database per test. (A DATABASE_URL
    /// names its role itself.)
    #[arg(long)]
    pub superuser: bool,
    /// The command and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

impl ServeSettings {
    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct UserSettings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(subcommand)]
    pub action: UserAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum UserAction {
    /// Give someone an account. The password is asked for on the terminal.
    Add {
        /// The address they sign in with.
        #[arg(long)]
        email: String,
        /// Their name as readers see it.
        #[arg(long)]
        name: String,
        /// admin: everything, accounts too; editor: every post, categories and tags; author:
        /// their own posts.
        #[arg(long, value_parser = ["admin", "editor", "author"], default_value = "author")]
        role: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
    /// Set someone's password; this signs them out everywhere.
    Passwd {
        /// The address they sign in with.
        email: String,
        /// Read the password from the first line of standard input instead.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Make a personal API token for someone and print it, for a program to write through the
    /// JSON API as them (`Authorization: Bearer <token>`).
    Token {
        /// The address they sign in with.
        email: String,
        /// What the token is for, say the program that will use it.
        #[arg(long)]
        name: String,
    },
}
