//! Requests the shop cannot act on, as the handlers find them: each variant is one precise
//! refusal, its sentence here, its status and wire code in `AppError::status` and `code`.

use domain::Sku;

#[derive(Debug, thiserror::Error)]
pub enum BadInput {
    #[error("the body is not the JSON expected: {0}")]
    MalformedJson(String),
    #[error("the form could not be read")]
    MalformedForm,
    #[error("the file must be UTF-8 text")]
    NotUtf8,
    #[error("the body must be at most {max} bytes")]
    TooLarge { max: usize },
    #[error("a file upload must say its Content-Length")]
    LengthRequired,
    #[error("form posts must come from this shop's own pages")]
    CrossOrigin,
    #[error("this form is out of date or did not come from the admin page; reload it")]
    BadCsrf,
    #[error("sku is not valid: {reason}")]
    BadSku { raw: String, reason: String },
    #[error("sku is missing or not a string")]
    MissingSku,
    #[error("there is no product variant {0}")]
    UnknownSku(Sku),
    #[error("quantity must be a whole number from {min} to {max}, got {got}")]
    BadQuantity { min: u32, max: u32, got: String },
    #[error("on_hand must be a whole number from 0 to {max}")]
    BadOnHand { max: u64 },
    #[error("unknown field {0:?}: only on_hand and buckets can be set")]
    UnknownField(String),
    #[error("buckets must be a whole number from 1 to {max}")]
    BadBuckets { max: u32 },
    #[error("the body's handle {body} differs from the address's {address}")]
    HandleMismatch { body: String, address: String },
    #[error("no catalog has been imported yet")]
    NoCatalogYet,
    #[error("the shop has no shipping and tax settings yet (PUT /admin/api/settings)")]
    NoSettingsYet,
    #[error("choose a catalog file, or paste its contents")]
    NoCatalogGiven,
    #[error("status must be one of {0}")]
    BadStatus(String),
    #[error("cursor must be the next_cursor of a previous page")]
    BadCursor,
    #[error("limit must be a whole number from 1 to 100")]
    BadLimit,
    #[error("there is no order {0}")]
    UnknownOrder(String),
    #[error("give an e-mail address such as you@example.com for the receipt")]
    BadEmail,
    #[error("the shop does not ship to {0:?}")]
    UnshippableCountry(String),
    #[error("there is no shipping rate {rate:?} to {country}")]
    UnknownRate { country: String, rate: String },
    #[error("{0}")]
    BadQuery(String),
    #[error("the discount is not valid: {0}")]
    BadDiscount(domain::discount::InputError),
    #[error("there is already a discount code {0}; change it with PUT /admin/api/discounts/{0}")]
    CodeExists(String),
}
