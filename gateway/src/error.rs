//! [`ApiError`]: errors in Stripe's shape, `{"error": {"type", "message", "param"?, "code"?}}`.

use axum::http::StatusCode;
use serde_json::json;

use crate::reply::Reply;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stripe's error type: `invalid_request_error`, `api_error`, `idempotency_error`.
    pub kind: &'static str,
    pub message: String,
    pub param: Option<String>,
    pub code: Option<&'static str>,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
            param: None,
            code: None,
        }
    }

    /// 400 about the request parameter `param`.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            param: Some(param.into()),
            code: Some("parameter_invalid"),
            ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
        }
    }

    /// 400 for a required parameter that is absent.
    pub fn missing(param: &str) -> ApiError {
        ApiError {
            code: Some("parameter_missing"),
            ..ApiError::invalid(param, format!("Missing required param: {param}."))
        }
    }

    /// 400 for a parameter that must be an integer.
    pub fn not_an_integer(param: &str, value: &str) -> ApiError {
        ApiError {
            code: Some("parameter_invalid_integer"),
            ..ApiError::invalid(param, format!("Invalid integer: {value}"))
        }
    }

    /// 400 for a request that is wrong as a whole rather than in one parameter.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request_error", message)
    }

    /// 401 for a missing or wrong API key.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_request_error", message)
    }

    /// 404 for an unknown object.
    pub fn no_such(what: &str, id: &str) -> ApiError {
        ApiError {
            code: Some("resource_missing"),
            param: Some("id".to_owned()),
            ..ApiError::new(
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                format!("No such {what}: '{id}'"),
            )
        }
    }

    /// 404 for a path the API does not have.
    pub fn no_route(method: &str, path: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("Unrecognized request URL ({method}: {path})."),
        )
    }

    /// 400 for an idempotency key reused with different parameters.
    pub fn idempotency(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "idempotency_error", message)
    }

    /// 429: Stripe's rate limiter ("Too many requests hit the API too quickly").
    pub fn rate_limited() -> ApiError {
        ApiError {
            code: Some("rate_limit"),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "invalid_request_error",
                "Too many requests hit the API too quickly (injected fault).",
            )
        }
    }

    /// 500 on Stripe's side.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "api_error", message)
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut error = json!({ "type": self.kind, "message": self.message });
        if let Some(param) = &self.param {
            error["param"] = json!(param);
        }
        if let Some(code) = self.code {
            error["code"] = json!(code);
        }
        json!({ "error": error })
    }

    pub fn reply(&self) -> Reply {
        Reply::json(self.status, &self.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_in_stripes_shape() {
        let e = ApiError::missing("success_url").to_json();
        assert_eq!(e["error"]["type"], "invalid_request_error");
        assert_eq!(e["error"]["param"], "success_url");
        assert_eq!(e["error"]["code"], "parameter_missing");
        assert_eq!(
            e["error"]["message"],
            "Missing required param: success_url."
        );
        let e = ApiError::internal("boom").to_json();
        assert_eq!(
            e,
            json!({ "error": { "type": "api_error", "message": "boom" } })
        );
    }
}
