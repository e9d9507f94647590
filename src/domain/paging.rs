//! Paging of long lists: which page a request means, clamped to the pages there are, with
//! arithmetic that cannot overflow whatever page number a URL carries.

/// One page of a list of `total` items, `size` per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    /// Current page, 1-based, always an existing page (1 for an empty list).
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// All items.
    pub total: i64,
    /// Items per page.
    pub size: i64,
}

impl Pager {
    /// The page `requested` (as a URL carries it: absent, garbage, 0, negative or huge) of a
    /// list of `total` items: out-of-range numbers clamp to the first or last page.
    pub fn new(requested: &str, total: i64, size: i64) -> Self {
        let size = size.max(1);
        let total = total.max(0);
        let pages = (total / size + i64::from(total % size != 0)).max(1);
        Self {
            page: parse(requested).clamp(1, pages),
            pages,
            total,
            size,
        }
    }

    /// Items skipped before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.size)
    }

    /// 1-based position of the first item shown.
    pub fn first(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            self.offset() + 1
        }
    }

    /// 1-based position of the last item shown.
    pub fn last(&self) -> i64 {
        self.offset().saturating_add(self.size).min(self.total)
    }
}

/// A page number from a URL: digits (saturating at `i64::MAX`), else 1.
fn parse(text: &str) -> i64 {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return 1;
    }
    text.parse().unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_clamp_to_those_that_exist() {
        let pager = Pager::new("2", 25, 20);
        assert_eq!((pager.page, pager.pages, pager.offset()), (2, 2, 20));
        assert_eq!((pager.first(), pager.last()), (21, 25));
        for huge in ["9223372036854775807", "99999999999999999999999", "3"] {
            let pager = Pager::new(huge, 25, 20);
            assert_eq!((pager.page, pager.offset()), (2, 20), "{huge}");
        }
        for low in ["0", "-5", "", "abc", "1.5", "-9223372036854775808"] {
            assert_eq!(Pager::new(low, 25, 20).page, 1, "{low}");
        }
    }

    #[test]
    fn an_empty_list_has_one_empty_page() {
        let pager = Pager::new("7", 0, 20);
        assert_eq!((pager.page, pager.pages, pager.offset()), (1, 1, 0));
        assert_eq!((pager.first(), pager.last()), (0, 0));
    }

    #[test]
    fn the_arithmetic_never_overflows() {
        let pager = Pager::new("9223372036854775807", i64::MAX, 20);
        assert_eq!(pager.pages, i64::MAX / 20 + 1);
        assert!(pager.offset() > 0 && pager.last() == i64::MAX);
    }
}
