//! Graph's error body, `{"error": {"code", "message", "innerError": {...}}}`, built from the
//! engine's refusals.

use mtosim_engine::Refusal;
use serde::Serialize;

/// `innerError`.
#[derive(Clone, Debug, Serialize)]
pub struct InnerError {
    /// `date`: when the request was answered (the simulated time).
    pub date: String,
    /// `request-id`.
    #[serde(rename = "request-id")]
    pub request_id: String,
    /// `client-request-id`.
    #[serde(rename = "client-request-id")]
    pub client_request_id: String,
}

/// `error`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MainError {
    /// `code`, e.g. `Request_BadRequest`.
    pub code: String,
    /// `message`: one sentence in Graph's words.
    pub message: String,
    /// `innerError`.
    pub inner_error: InnerError,
}

/// The body of every error response.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorBody {
    /// `error`.
    pub error: MainError,
}

/// The HTTP status Graph answers with for error `code`: 403 for `Authorization_RequestDenied`,
/// 401 for `InvalidAuthenticationToken`, 404 for `Directory_ObjectNotFound` and
/// `Request_ResourceNotFound`, 400 for every other code (MTO-90).
pub fn status(code: &str) -> u16 {
    match code {
        "Authorization_RequestDenied" => 403,
        "InvalidAuthenticationToken" => 401,
        "Directory_ObjectNotFound" | "Request_ResourceNotFound" => 404,
        _ => 400,
    }
}

impl ErrorBody {
    /// An error body with `code` and `message`, for errors that are not the engine's refusals
    /// (a token, a route, a request body).
    pub fn new(
        code: &str,
        message: &str,
        date: &str,
        request_id: &str,
        client_request_id: &str,
    ) -> ErrorBody {
        ErrorBody {
            error: MainError {
                code: code.to_string(),
                message: message.to_string(),
                inner_error: InnerError {
                    date: date.to_string(),
                    request_id: request_id.to_string(),
                    client_request_id: client_request_id.to_string(),
                },
            },
        }
    }

    /// The error body for `refusal`: its documented code (`Request_BadRequest` where the
    /// documentation gives none, MTO-90) and its sentence, with what would have been allowed
    /// named as Graph requests and properties.
    pub fn from_refusal(
        refusal: &Refusal,
        date: &str,
        request_id: &str,
        client_request_id: &str,
    ) -> ErrorBody {
        ErrorBody {
            error: MainError {
                code: refusal.code.unwrap_or("Request_BadRequest").to_string(),
                message: format!("{} ({})", crate::words::message(&refusal.message), refusal.rule),
                inner_error: InnerError {
                    date: date.to_string(),
                    request_id: request_id.to_string(),
                    client_request_id: client_request_id.to_string(),
                },
            },
        }
    }
}
