//! Builtin dataset samplers: which dataset entry each request uses.

use registry_core::{BoxError, Implementation};

use crate::rng::SplitMix64;
use aiperf_plugin_api::{DatasetSampler, DatasetSamplerCategory, SamplerArgs};

fn require_entries(args: SamplerArgs) -> Result<usize, BoxError> {
    if args.len == 0 {
        return Err("the dataset is empty; a sampler needs at least one entry".into());
    }
    Ok(args.len)
}

/// Entries in order, starting over after the last.
#[derive(Debug, Clone)]
pub struct Sequential {
    len: usize,
    next: usize,
}

impl DatasetSampler for Sequential {
    fn next_index(&mut self) -> usize {
        let index = self.next;
        self.next = (self.next + 1) % self.len;
        index
    }
}

impl Implementation<DatasetSamplerCategory> for Sequential {
    const METADATA: () = ();
    const DESCRIPTION: &'static str = "Entries in dataset order, wrapping around.";

    fn create(args: SamplerArgs) -> Result<Self, BoxError> {
        Ok(Sequential {
            len: require_entries(args)?,
            next: 0,
        })
    }
}

/// Uniformly random entries (with replacement), reproducible from the seed.
#[derive(Debug, Clone)]
pub struct Random {
    len: u64,
    rng: SplitMix64,
}

impl DatasetSampler for Random {
    fn next_index(&mut self) -> usize {
        // `below(len)` < len, which came from a usize.
        self.rng.below(self.len) as usize
    }
}

impl Implementation<DatasetSamplerCategory> for Random {
    const METADATA: () = ();
    const DESCRIPTION: &'static str =
        "Uniformly random entries with replacement; the same seed gives the same order.";

    fn create(args: SamplerArgs) -> Result<Self, BoxError> {
        Ok(Random {
            len: require_entries(args)? as u64,
            rng: SplitMix64::new(args.seed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(sampler: &mut dyn DatasetSampler, n: usize) -> Vec<usize> {
        (0..n).map(|_| sampler.next_index()).collect()
    }

    #[test]
    fn sequential_wraps_around() {
        let mut s = Sequential::create(SamplerArgs { len: 3, seed: 9 }).unwrap();
        assert_eq!(draw(&mut s, 7), [0, 1, 2, 0, 1, 2, 0]);
    }

    #[test]
    fn random_is_reproducible_from_its_seed_and_in_range() {
        let args = SamplerArgs { len: 10, seed: 42 };
        let a = draw(&mut Random::create(args).unwrap(), 50);
        let b = draw(&mut Random::create(args).unwrap(), 50);
        assert_eq!(a, b);
        assert!(a.iter().all(|&i| i < 10));
        let other = draw(
            &mut Random::create(SamplerArgs { seed: 43, ..args }).unwrap(),
            50,
        );
        assert_ne!(a, other);
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() >= 5, "50 draws over 10 entries: {a:?}");
    }

    #[test]
    fn empty_dataset_is_an_error() {
        let e = Random::create(SamplerArgs { len: 0, seed: 1 }).unwrap_err();
        assert!(e.to_string().contains("the dataset is empty"));
        assert!(Sequential::create(SamplerArgs { len: 0, seed: 1 }).is_err());
    }
}
