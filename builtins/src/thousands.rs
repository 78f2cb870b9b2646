//! Digits grouped by thousands, as the console tables and the charts show
//! counts and values (`12,500`).

/// `digits` (ASCII digits only) with a `,` before every group of three from
/// the right: `1234567` → `1,234,567`.
pub(crate) fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A count with thousands separators: `100,000`.
pub(crate) fn count(n: u64) -> String {
    group(&n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_three_from_the_right() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(group("12"), "12");
    }
}
