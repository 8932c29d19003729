//! Which stretches of a text get replaced, decided once and shared by the
//! redactor and by snippets, so a snippet shows exactly what the redacted
//! text shows even for targets the scanner should never produce (unsorted,
//! overlapping, out of range).

use super::redact::Target;

/// The target's value, when its range is valid in `text`.
pub(super) fn value_of<'t>(text: &'t str, target: &Target<'_>) -> Option<&'t str> {
    text.get(target.byte_start..target.byte_end)
}

/// A stretch of the text that one replacement stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Region {
    /// First byte replaced.
    pub(super) byte_start: usize,
    /// One past the last byte replaced.
    pub(super) byte_end: usize,
    /// The target whose replacement is shown.
    pub(super) target: usize,
}

/// Which stretches of a text are replaced, shared by the redactor and by
/// snippets so a snippet shows exactly what the redacted text shows.
#[derive(Debug, Clone, Default)]
pub(super) struct Plan {
    /// Target indices by `byte_start` (stable, so sorted input keeps its order).
    pub(super) order: Vec<usize>,
    /// Replaced regions in text order, non-overlapping.
    pub(super) regions: Vec<Region>,
    /// For each target, the region covering it; `None` when its range is invalid.
    pub(super) region_of: Vec<Option<usize>>,
}

impl Plan {
    pub(super) fn new(text: &str, targets: &[Target<'_>]) -> Self {
        let mut order: Vec<usize> = (0..targets.len()).collect();
        order.sort_by_key(|&i| targets.get(i).map_or(0, |t| t.byte_start));
        let mut regions: Vec<Region> = Vec::with_capacity(targets.len());
        let mut region_of = vec![None; targets.len()];
        for &i in &order {
            let Some(target) = targets.get(i).filter(|t| value_of(text, t).is_some()) else {
                continue;
            };
            match regions.last_mut() {
                // Merged rather than skipped: the rest of an overlapping value
                // would otherwise stay readable after the previous region.
                Some(last) if target.byte_start < last.byte_end => {
                    last.byte_end = last.byte_end.max(target.byte_end);
                }
                _ => regions.push(Region {
                    byte_start: target.byte_start,
                    byte_end: target.byte_end,
                    target: i,
                }),
            }
            if let Some(slot) = region_of.get_mut(i) {
                *slot = regions.len().checked_sub(1);
            }
        }
        Self {
            order,
            regions,
            region_of,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(byte_start: usize, byte_end: usize) -> Target<'static> {
        Target {
            byte_start,
            byte_end,
            rule_id: "r",
            label: "L",
        }
    }

    fn regions(text: &str, targets: &[Target<'_>]) -> Vec<(usize, usize, usize)> {
        let plan = Plan::new(text, targets);
        plan.regions
            .iter()
            .map(|r| (r.byte_start, r.byte_end, r.target))
            .collect()
    }

    #[test]
    fn sorted_disjoint_targets_map_one_to_one() {
        let plan = Plan::new("aa bb cc", &[t(0, 2), t(3, 5), t(6, 8)]);
        assert_eq!(plan.order, [0, 1, 2]);
        assert_eq!(plan.region_of, [Some(0), Some(1), Some(2)]);
        assert_eq!(
            regions("aa bb cc", &[t(0, 2), t(3, 5)]),
            [(0, 2, 0), (3, 5, 1)]
        );
    }

    #[test]
    fn overlaps_merge_into_the_earlier_region() {
        let text = "abcdefgh";
        assert_eq!(regions(text, &[t(0, 4), t(2, 6), t(5, 7)]), [(0, 7, 0)]);
        // Touching is not overlapping; empty targets keep their own region.
        assert_eq!(
            regions(text, &[t(0, 2), t(2, 4), t(4, 4)]),
            [(0, 2, 0), (2, 4, 1), (4, 4, 2)]
        );
    }

    #[test]
    fn invalid_targets_get_no_region() {
        let text = "é abc";
        let plan = Plan::new(text, &[t(4, 3), t(1, 2), t(3, 99), t(3, 4)]);
        assert_eq!(plan.region_of, [None, None, None, Some(0)]);
        assert_eq!(plan.regions.len(), 1);
    }

    #[test]
    fn unsorted_targets_are_ordered_by_start() {
        let plan = Plan::new("abcdef", &[t(4, 6), t(0, 2)]);
        assert_eq!(plan.order, [1, 0]);
        assert_eq!(plan.region_of, [Some(1), Some(0)]);
    }
}
