//! A tiny seeded PRNG (SplitMix64) and the few distributions the builtins
//! draw from: deterministic across platforms and releases, which `rand`'s
//! `StdRng` does not promise, and too small to be worth a dependency
//! (`rand_distr`'s gamma sampler is the same Marsaglia–Tsang method as
//! [`SplitMix64::standard_gamma`], a dozen lines).
//!
//! The integer stream ([`SplitMix64::next_u64`]) is bit-for-bit the same
//! everywhere. The floating-point samplers go through `ln`, `cos` and
//! `powf`, which Rust takes from the platform's math library: a given seed
//! gives the same values on every run of one build, and values equal to
//! the last bit or so on another platform.

/// SplitMix64 (Steele, Lea, Flood 2014): passes BigCrush, one `u64` of state.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

/// 2^-53: the spacing of the 53-bit uniforms below.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n >= 1`), without modulo bias (Lemire's
    /// multiply-shift with rejection).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in (0, 1], in steps of 2^-53: never 0, so its logarithm is
    /// finite.
    pub(crate) fn unit_open_closed(&mut self) -> f64 {
        unit_from_bits(self.next_u64())
    }

    /// Standard normal (mean 0, variance 1) by Box–Muller. Only one of the
    /// pair is used, so every draw takes exactly two `u64`s and nothing is
    /// carried between draws.
    pub(crate) fn standard_normal(&mut self) -> f64 {
        let radius = (-2.0 * self.unit_open_closed().ln()).sqrt();
        let angle = std::f64::consts::TAU * self.unit_open_closed();
        radius * angle.cos()
    }

    /// Exponential with mean 1 (inversion: `-ln U`, `U` in (0, 1]).
    pub(crate) fn standard_exponential(&mut self) -> f64 {
        -self.unit_open_closed().ln()
    }

    /// Gamma with shape `shape` (finite, > 0) and scale 1: mean and
    /// variance both `shape`.
    ///
    /// Marsaglia and Tsang, "A simple method for generating gamma
    /// variables" (ACM TOMS 26(3), 2000): for shape >= 1, a squeezed
    /// rejection from a cubed normal, accepting over 95 % of tries; for
    /// shape < 1, the boost `Gamma(shape) = Gamma(shape + 1) * U^(1/shape)`.
    pub(crate) fn standard_gamma(&mut self, shape: f64) -> f64 {
        debug_assert!(shape > 0.0 && shape.is_finite(), "shape {shape}");
        if shape < 1.0 {
            let boost = self.unit_open_closed().powf(1.0 / shape);
            return self.standard_gamma(shape + 1.0) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.standard_normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.unit_open_closed();
            let x2 = x * x;
            // The squeeze accepts most draws without a logarithm.
            if u < 1.0 - 0.0331 * x2 * x2 || u.ln() < 0.5 * x2 + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }
}

/// The top 53 bits of `bits`, plus one step, as a fraction: (0, 1].
fn unit_from_bits(bits: u64) -> f64 {
    ((bits >> 11) + 1) as f64 * UNIT
}

/// Mean and coefficient of variation (population standard deviation over
/// mean) of `values`, for the samplers' tests.
#[cfg(test)]
pub(crate) fn mean_and_cv(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, variance.sqrt() / mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // First outputs of the reference C implementation for seed 1234567.
        let mut rng = SplitMix64::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0u32; 5];
        for _ in 0..1000 {
            seen[rng.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 150), "{seen:?}");
    }

    #[test]
    fn unit_open_closed_never_reaches_zero_and_covers_the_interval() {
        let mut rng = SplitMix64::new(3);
        let draws: Vec<f64> = (0..100_000).map(|_| rng.unit_open_closed()).collect();
        assert!(draws.iter().all(|&u| u > 0.0 && u <= 1.0));
        let (mean, _) = mean_and_cv(&draws);
        assert!((mean - 0.5).abs() < 0.005, "mean {mean}");
        // The ends: the smallest value is one step, the largest is 1.
        assert_eq!(unit_from_bits(0), UNIT);
        assert_eq!(unit_from_bits(u64::MAX), 1.0);
    }

    #[test]
    fn standard_normal_has_mean_0_variance_1_and_normal_tails() {
        let mut rng = SplitMix64::new(11);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.standard_normal()).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard errors at n = 200,000: 0.0022 (mean), 0.0032 (variance).
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((variance - 1.0).abs() < 0.015, "variance {variance}");
        // P(|X| > 1.96) = 0.05 for a normal.
        let tails = draws.iter().filter(|x| x.abs() > 1.96).count() as f64 / n as f64;
        assert!((tails - 0.05).abs() < 0.003, "two-sided 5 % tail {tails}");
    }

    #[test]
    fn standard_gamma_has_mean_and_variance_equal_to_its_shape() {
        // Both branches: the boost (< 1), exactly 1, and the direct method.
        for shape in [0.1, 0.25, 1.0, 2.5, 30.0] {
            let mut rng = SplitMix64::new(5);
            let n = 200_000;
            let draws: Vec<f64> = (0..n).map(|_| rng.standard_gamma(shape)).collect();
            assert!(draws.iter().all(|&g| g >= 0.0 && g.is_finite()));
            let (mean, cv) = mean_and_cv(&draws);
            let variance = (cv * mean).powi(2);
            // Relative standard error of the mean: 1 / sqrt(shape * n),
            // 0.7 % at shape 0.1; 3 % leaves room for the variance.
            assert!(
                (mean / shape - 1.0).abs() < 0.02,
                "shape {shape}: mean {mean}"
            );
            assert!(
                (variance / shape - 1.0).abs() < 0.06,
                "shape {shape}: variance {variance}"
            );
        }
    }

    #[test]
    fn standard_exponential_has_the_exponential_cdf() {
        let mut rng = SplitMix64::new(9);
        let n = 100_000;
        let draws: Vec<f64> = (0..n).map(|_| rng.standard_exponential()).collect();
        // P(X < x) = 1 - e^-x at a few points.
        for x in [0.1f64, 0.5, 1.0, 2.0, 4.0] {
            let below = draws.iter().filter(|&&d| d < x).count() as f64 / n as f64;
            let expected = 1.0 - (-x).exp();
            assert!(
                (below - expected).abs() < 0.005,
                "P(X < {x}) = {below}, want {expected}"
            );
        }
    }
}
