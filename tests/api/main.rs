//! The black-box suite: one test binary, one module per capability.

mod assessments;
mod auth;
mod browser;
mod cli;
mod comments;
mod consultations;
mod crash;
mod demo;
mod dispositions;
mod drafts;
mod errors;
mod health;
mod jobs;
mod laws;
mod mail;
mod migrations;
mod openapi;
mod privacy;
mod reports;
mod search;
mod search_contract;
mod subscriptions;
mod text;
mod worker;
