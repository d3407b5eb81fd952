//! Deterministic use of both cores: work split over rayon's threads whose results are put
//! back together in input order, so what comes out does not depend on how many threads ran
//! or which finished first. Small inputs stay on the calling thread (spreading them costs
//! more than it saves).

use rayon::prelude::*;

/// Inputs below this many items are mapped on the calling thread: below it, waking the
/// workers and two threads faulting in fresh pages of one address space cost more than they
/// save (B3's cycles of 3,000 users took 4 to 5 s on both cores at 2,048, with 1.7 to 3.4 s
/// of system time, against 2.3 s on one).
pub const PAR_MIN: usize = 16384;

/// `items` mapped through `f`, in the order of `items`: on rayon's threads when there are
/// at least [`PAR_MIN`] of them.
pub fn map_ordered<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    map_ordered_indexed(items, |_, x| f(x))
}

/// Appends `items` mapped through `f` to `out`, in the order of `items`: written straight
/// into `out`'s new room on rayon's threads when there are at least [`PAR_MIN`] of them.
pub fn extend_ordered<T, R, F>(out: &mut Vec<R>, items: &[T], f: F)
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    if items.len() < PAR_MIN || rayon::current_num_threads() < 2 {
        out.extend(items.iter().map(f));
        return;
    }
    out.par_extend(items.par_iter().with_min_len(PAR_MIN / 4).map(f));
}

/// [`map_ordered`] with each item's index passed to `f`.
pub fn map_ordered_indexed<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync + Send,
{
    if items.len() < PAR_MIN || rayon::current_num_threads() < 2 {
        return items.iter().enumerate().map(|(i, x)| f(i, x)).collect();
    }
    items
        .par_iter()
        .enumerate()
        .with_min_len(PAR_MIN / 4)
        .map(|(i, x)| f(i, x))
        .collect()
}

/// Calls `f` on each item with its index, one item per task: for a few heavy items that
/// each change only themselves (one tenant's directory), on rayon's threads from two items
/// on. What `f` does to one item must not depend on the others, so the outcome is the same
/// whatever the thread count.
pub fn for_each_mut<T, F>(items: &mut [T], f: F)
where
    T: Send,
    F: Fn(usize, &mut T) + Sync + Send,
{
    if items.len() < 2 || rayon::current_num_threads() < 2 {
        items.iter_mut().enumerate().for_each(|(i, x)| f(i, x));
        return;
    }
    items
        .par_iter_mut()
        .enumerate()
        .with_max_len(1)
        .for_each(|(i, x)| f(i, x));
}

/// `items` mapped through `f`, in the order of `items`, one item per task: for a few heavy
/// items (a tenant's share of an output), on rayon's threads from two items on.
pub fn map_each<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    if items.len() < 2 || rayon::current_num_threads() < 2 {
        return items.iter().map(f).collect();
    }
    items.par_iter().with_max_len(1).map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order_whatever_the_threads() {
        let items: Vec<u64> = (0..3 * PAR_MIN as u64 + 7).collect();
        let f = |&x: &u64| x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 7;
        let serial: Vec<u64> = items.iter().map(f).collect();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(|| map_ordered(&items, f)),
                serial,
                "{threads} threads"
            );
        }
        assert_eq!(map_ordered(&items[..5], f), serial[..5]);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(|| map_each(&items[..9], f)),
                serial[..9],
                "{threads} threads"
            );
        }
    }
}
