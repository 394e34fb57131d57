//! The `rabfang` command line.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rabfang",
    version,
    about = "Rabfang (รับฟัง): public consultation on draft laws"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, optionally load the demo data, and serve the API, the site and (unless
    /// RABFANG_WORKER=off) the background worker on RABFANG_LISTEN.
    Serve {
        /// Load the demo data set (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Apply every pending database migration.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage agencies.
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print one line: its new API token.
    Create {
        #[arg(long)]
        email: String,
        /// admin, officer, researcher or citizen.
        #[arg(long)]
        role: String,
        /// The agency's slug (required for officers).
        #[arg(long)]
        agency: Option<String>,
        /// Display name (defaults to the part of the e-mail before `@`).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Create an agency.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long = "name-th")]
        name_th: String,
        #[arg(long = "name-en")]
        name_en: Option<String>,
    },
}
