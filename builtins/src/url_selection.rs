//! Builtin URL selection strategies: which of several server URLs each
//! request goes to.

use registry_core::{BoxError, Implementation};

use aiperf_plugin_api::{UrlSelectionArgs, UrlSelectionStrategy, UrlSelectionStrategyCategory};

/// Each URL in turn, starting with the first, wrapping around: requests
/// spread evenly (AIPerf's `RoundRobinURLSampler`).
#[derive(Debug, Clone)]
pub struct RoundRobin {
    urls: usize,
    next: usize,
}

impl UrlSelectionStrategy for RoundRobin {
    fn next_index(&mut self) -> usize {
        let index = self.next;
        self.next = (self.next + 1) % self.urls;
        index
    }
}

impl Implementation<UrlSelectionStrategyCategory> for RoundRobin {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Each URL in turn, starting with the first.";

    fn create(args: UrlSelectionArgs) -> Result<Self, BoxError> {
        if args.urls == 0 {
            return Err("no URLs to select from; give at least one URL".into());
        }
        Ok(RoundRobin {
            urls: args.urls,
            next: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_robin(urls: usize) -> RoundRobin {
        RoundRobin::create(UrlSelectionArgs { urls, seed: 9 }).unwrap()
    }

    #[test]
    fn ten_requests_over_three_urls_go_4_3_3_in_turn() {
        let mut s = round_robin(3);
        let picks: Vec<usize> = (0..10).map(|_| s.next_index()).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
        let mut counts = [0; 3];
        for i in picks {
            counts[i] += 1;
        }
        assert_eq!(counts, [4, 3, 3]);
    }

    #[test]
    fn one_url_is_always_chosen_and_none_is_an_error() {
        let mut s = round_robin(1);
        assert!((0..5).all(|_| s.next_index() == 0));
        let e = RoundRobin::create(UrlSelectionArgs { urls: 0, seed: 0 }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no URLs to select from; give at least one URL"
        );
    }
}
