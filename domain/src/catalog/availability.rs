//! What a product page says about stock, from a counter.

use serde::Serialize;

/// What a shopper is told about stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "count", rename_all = "snake_case")]
pub enum Availability {
    InStock,
    /// Few left: the count is worth showing.
    Low(u32),
    SoldOut,
}

impl Availability {
    /// At or below this many units a page says "only N left".
    pub const LOW_STOCK: u32 = 5;

    pub fn from_stock(available: u32) -> Self {
        match available {
            0 => Availability::SoldOut,
            n if n <= Self::LOW_STOCK => Availability::Low(n),
            _ => Availability::InStock,
        }
    }

    pub fn label(self) -> String {
        match self {
            Availability::InStock => "In stock".to_owned(),
            Availability::Low(n) => format!("Only {n} left"),
            Availability::SoldOut => "Sold out".to_owned(),
        }
    }

    pub fn can_buy(self) -> bool {
        self != Availability::SoldOut
    }
}

#[cfg(test)]
mod tests {
    use super::Availability;

    #[test]
    fn labels() {
        assert_eq!(Availability::from_stock(0).label(), "Sold out");
        assert_eq!(Availability::from_stock(1).label(), "Only 1 left");
        assert_eq!(Availability::from_stock(5).label(), "Only 5 left");
        assert_eq!(Availability::from_stock(6).label(), "In stock");
        assert!(!Availability::from_stock(0).can_buy());
    }
}
