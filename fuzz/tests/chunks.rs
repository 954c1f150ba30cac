//! `Chunks`, the network-like cutting every streaming target relies on.

use aigw_fuzz::Chunks;

#[test]
fn chunks_cover_the_input_in_order() {
    let data: Vec<u8> = (0..=255).collect();
    for seed in [0, 1, 7, 255] {
        let joined: Vec<u8> = Chunks::new(seed, &data).flatten().copied().collect();
        assert_eq!(joined, data);
    }
}
