import Testing
@testable import Latent

/// Epoch shuffling, drop-last and the four pixel encodings.
@Suite struct BatchingTests {
    /// 10 images of 2 x 2: image i has pixels [0, 255, 17 * i, 128].
    static let set = ImageSet(name: "test", count: 10, channels: 1, height: 2, width: 2,
                              pixels: (0..<10).flatMap { [0, 255, UInt8(17 * $0), 128] }, labels: Array(0..<10))

    @Test func epochsShuffleReproduciblyAndDropTheLastPartialBatch() {
        let b = ImageBatcher(images: Self.set, batchSize: 3, seed: 7)
        #expect(b.batchesPerEpoch == 3)
        let e0 = b.indices(epoch: 0), e1 = b.indices(epoch: 1)
        #expect(e0.map(\.count) == [3, 3, 3])
        #expect(Set(e0.joined()).count == 9 && Set(e1.joined()).count == 9)
        #expect(e0 != e1, "each epoch has its own order")
        #expect(e0 == ImageBatcher(images: Self.set, batchSize: 3, seed: 7).indices(epoch: 0))
        #expect(e0 != ImageBatcher(images: Self.set, batchSize: 3, seed: 8).indices(epoch: 0))
        let keep = ImageBatcher(images: Self.set, batchSize: 3, dropLast: false, seed: 7)
        #expect(keep.indices(epoch: 0).map(\.count) == [3, 3, 3, 1])
        #expect(Set(keep.indices(epoch: 0).joined()) == Set(0..<10))
        let ordered = ImageBatcher(images: Self.set, batchSize: 4, dropLast: false, shuffle: false, seed: 7)
        #expect(ordered.indices(epoch: 3) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        // Labels travel with their images.
        for batch in b.epoch(2) { #expect(batch.labels == batch.indices) }
        #expect(Array(b.epoch(2)).count == 3)
    }

    @Test func scaledAndRawEncodings() {
        var rng = RandomGenerator(seed: 0)
        let scaled = ImageBatcher(images: Self.set, batchSize: 2, encoding: .scaled, seed: 1).batch([3, 0], rng: &rng)
        #expect(scaled.x.shape == [2, 1, 2, 2])
        expectClose(scaled.x, [0, 1, 51.0 / 255, 128.0 / 255, 0, 1, 0, 128.0 / 255], atol: 1e-7, "x / 255")
        let raw = ImageBatcher(images: Self.set, batchSize: 2, encoding: .raw8bit, seed: 1).batch([3], rng: &rng)
        #expect(raw.x.scalars == [0, 255, 51, 128])
        // Dequantized values stay in [0, 1) and within 1/256 above x/256.
        let dq = dequantized(raw.x, rng: &rng).scalars
        for (d, r) in zip(dq, raw.x.scalars) { #expect(d >= r / 256 && d < (r + 1) / 256) }
    }

    @Test func staticBinarizationIsFixedAndDynamicIsResampled() {
        let many = ImageSet(name: "grey", count: 2000, channels: 1, height: 2, width: 2,
                            pixels: (0..<2000).flatMap { _ in [0, 255, 64, 191] })
        let st = ImageBatcher(images: many, batchSize: 2000, encoding: .staticBinarized, seed: 1, binarizationSeed: 5)
        let dy = ImageBatcher(images: many, batchSize: 2000, encoding: .dynamicBinarized, seed: 1)
        let s0 = Array(st.epoch(0))[0], s1 = Array(st.epoch(1))[0]
        let d0 = Array(dy.epoch(0))[0], d1 = Array(dy.epoch(1))[0]
        // Static: the same bits for an image in every epoch (compare by image index).
        func bits(_ b: ImageBatcher.Batch) -> [Int: [Float]] {
            Dictionary(uniqueKeysWithValues: b.indices.enumerated().map { k, i in (i, Array(b.x.scalars[(4 * k)..<(4 * k + 4)])) })
        }
        #expect(bits(s0) == bits(s1))
        #expect(bits(d0) != bits(d1))
        for b in [s0, d0] {
            let v = b.x.scalars
            #expect(v.allSatisfy { $0 == 0 || $0 == 1 })
            // Pixel 0 never fires, pixel 255 always; 64/255 and 191/255 fire at that rate
            // (sd sqrt(p(1-p)/2000) < 0.012; 5 sd).
            for (p, rate) in [(0, 0.0), (1, 1.0), (2, 64.0 / 255), (3, 191.0 / 255)] {
                let mean = (0..<2000).reduce(0.0) { $0 + Double(v[4 * $1 + p]) } / 2000
                #expect(Swift.abs(mean - rate) < 0.055, "pixel \(p): rate \(mean), expected \(rate)")
            }
        }
        // A different static seed gives different bits; the config records what was used.
        let other = ImageBatcher(images: many, batchSize: 2000, encoding: .staticBinarized, seed: 1, binarizationSeed: 6)
        #expect(bits(Array(other.epoch(0))[0]) != bits(s0))
        let spec = st.dataSpec
        #expect(spec.name == "grey")
        #expect(spec.preprocessing["encoding"] == .string("static-binarized") && spec.preprocessing["binarizationSeed"] == .number(5))
        #expect(ImageBatcher(images: many, batchSize: 8, seed: 1).dataSpec.preprocessing["scaling"] == .string("x/255"))
        #expect(dy.dataSpec.preprocessing["binarization"] == .string("dynamic"))
    }
}
