//! The black-box suite: one test binary, one module per capability.

mod auth;
mod cli;
mod comments;
mod consultations;
mod demo;
mod drafts;
mod errors;
mod health;
mod jobs;
mod migrations;
mod openapi;
mod privacy;
mod search;
mod search_contract;
