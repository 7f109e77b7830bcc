import Foundation
import Testing
@testable import Latent

/// Ground-truth factor sets: grid and index order, what each factor does to the
/// image, and the value ranges of the noisy and color variants.
@Suite struct DataTests {
    /// Pixel count and centroid (column, row) of channel 0 of image i.
    func areaAndCentroid(_ x: Tensor, _ i: Int) -> (area: Int, cx: Double, cy: Double) {
        let h = x.shape[2], w = x.shape[3]
        var area = 0, sx = 0.0, sy = 0.0
        x.withUnsafeBufferPointer { b in
            let base = i * x.shape[1] * h * w
            for r in 0..<h { for c in 0..<w where b[base + r * w + c] > 0.5 { area += 1; sx += Double(c); sy += Double(r) } }
        }
        return (area, sx / Double(max(area, 1)), sy / Double(max(area, 1)))
    }

    func render(_ data: some GroundTruthDataset, _ rows: [[Int]]) -> Tensor {
        var rng = RandomGenerator(seed: 0)
        return data.observations(fromFactors: rows, rng: &rng)
    }

    @Test func dspritesGridAndIndexOrder() {
        let d = DSprites()
        #expect(d.factorSizes == [3, 6, 40, 32, 32])
        #expect(d.gridSize == 737_280)
        #expect(d.observationShape == [1, 64, 64])
        #expect(DSprites.scales.first == 0.5 && DSprites.scales.last == 1)
        #expect(Swift.abs(DSprites.orientations.last! - 2 * Double.pi) < 1e-12)
        var rng = RandomGenerator(seed: 3)
        for f in d.sampleFactors(500, rng: &rng) + [[0, 0, 0, 0, 0], [2, 5, 39, 31, 31]] {
            let i = d.index(ofFactors: f)
            // The original dSprites formula (docs/DATA.md).
            #expect(i == f[0] * 245_760 + f[1] * 40_960 + f[2] * 1024 + f[3] * 32 + f[4])
            #expect(d.factors(atIndex: i) == f)
        }
        for i in [0, 1, 31, 32, 1023, 1024, 737_279] { #expect(d.index(ofFactors: d.factors(atIndex: i)) == i) }
        let tiny = ShapesTiny()
        #expect(tiny.gridSize == 96 && tiny.observationShape == [1, 16, 16])
        for i in 0..<tiny.gridSize { #expect(tiny.index(ofFactors: tiny.factors(atIndex: i)) == i) }
        #expect(NoisyVariant(d).factorSizes == d.factorSizes && ColorVariant(d).observationShape == [3, 64, 64])
    }

    @Test func sampledFactorsAreUniformAndInRange() {
        let d = DSprites()
        var rng = RandomGenerator(seed: 9)
        let rows = d.sampleFactors(6000, rng: &rng)
        for (k, size) in d.factorSizes.enumerated() {
            var counts = [Int](repeating: 0, count: size)
            for r in rows { counts[r[k]] += 1 }
            #expect(counts.allSatisfy { $0 > 0 }, "factor \(k): some value never drawn")
            // Shape: 2000 expected per class, sd ~37; 6 sigma.
            if size == 3 { #expect(counts.allSatisfy { Swift.abs($0 - 2000) < 230 }, "\(counts)") }
        }
    }

    @Test func positionMovesTheCentroidMonotonically() {
        let d = DSprites()
        for shape in 0..<3 {
            for (scale, orientation) in [(0, 0), (5, 7), (3, 23)] {
                let fixedY = 10
                let xs = render(d, (0..<32).map { [shape, scale, orientation, $0, fixedY] })
                let ys = render(d, (0..<32).map { [shape, scale, orientation, fixedY, $0] })
                var lastX = -1.0, lastY = -1.0
                for k in 0..<32 {
                    let a = areaAndCentroid(xs, k), b = areaAndCentroid(ys, k)
                    #expect(a.area > 0 && b.area > 0)
                    #expect(a.cx > lastX + 0.5, "shape \(shape) posX \(k): centroid x \(a.cx) after \(lastX)")
                    #expect(b.cy > lastY + 0.5, "shape \(shape) posY \(k): centroid y \(b.cy) after \(lastY)")
                    lastX = a.cx; lastY = b.cy
                    // The other coordinate stays put (rasterisation jitter only).
                    #expect(Swift.abs(a.cy - areaAndCentroid(xs, 0).cy) < 0.6)
                    #expect(Swift.abs(b.cx - areaAndCentroid(ys, 0).cx) < 0.6)
                }
                // posX spans the middle half of the canvas: 32 * (31/31) pixels.
                #expect(Swift.abs(lastX - areaAndCentroid(xs, 0).cx - 32) < 1)
            }
        }
    }

    @Test func scaleGrowsTheAreaMonotonically() {
        let d = DSprites()
        for shape in 0..<3 {
            for orientation in [0, 5, 13, 30] {
                let x = render(d, (0..<6).map { [shape, $0, orientation, 16, 16] })
                let areas = (0..<6).map { areaAndCentroid(x, $0).area }
                for k in 1..<6 { #expect(areas[k] > areas[k - 1], "shape \(shape) orientation \(orientation): areas \(areas)") }
                // Area grows like scale^2: scale 1 vs 0.5 is about 4x.
                let ratio = Double(areas[5]) / Double(areas[0])
                #expect(ratio > 3.3 && ratio < 4.8, "shape \(shape): area ratio \(ratio)")
            }
        }
    }

    @Test func shapeClassesAndOrientationsDiffer() {
        let d = DSprites()
        let x = render(d, (0..<3).map { [$0, 5, 0, 16, 16] } + [[2, 5, 10, 16, 16], [2, 5, 39, 16, 16], [1, 5, 10, 16, 16]])
        let v = x.scalars, m = 4096
        func differing(_ a: Int, _ b: Int) -> Int { (0..<m).filter { v[a * m + $0] != v[b * m + $0] }.count }
        // Pairwise, the classes differ in far more pixels than rasterisation noise.
        for (a, b) in [(0, 1), (0, 2), (1, 2)] { #expect(differing(a, b) > 60, "shapes \(a), \(b): \(differing(a, b)) pixels differ") }
        // Orientation 10 (a quarter turn) changes the heart and the ellipse; 39 (2 pi) is orientation 0 again.
        #expect(differing(2, 3) > 60)
        #expect(differing(1, 5) > 60)
        #expect(differing(2, 4) <= 2)
        // Areas by class: ellipse (pi R^2 / 2) < heart < square (4 R^2).
        let areas = (0..<3).map { areaAndCentroid(x, $0).area }
        #expect(areas[1] < areas[2] && areas[2] < areas[0], "\(areas)")
        #expect(v.allSatisfy { $0 == 0 || $0 == 1 })
        // Rendering is deterministic and ignores the generator.
        var r1 = RandomGenerator(seed: 1), r2 = RandomGenerator(seed: 2)
        #expect(d.observations(fromFactors: [[2, 3, 4, 5, 6]], rng: &r1).scalars == d.observations(fromFactors: [[2, 3, 4, 5, 6]], rng: &r2).scalars)
        // Every sprite stays inside the canvas with a margin (no clipping).
        let corners = render(d, [[0, 5, 5, 0, 0], [0, 5, 5, 31, 31], [2, 5, 20, 0, 31], [1, 5, 0, 31, 0]])
        for k in 0..<4 {
            for r in 0..<64 { for c in 0..<64 where r == 0 || c == 0 || r == 63 || c == 63 { #expect(corners[k, 0, r, c] == 0) } }
        }
    }

    @Test func shapesTinyDrawsEveryCombination() {
        let t = ShapesTiny()
        let x = render(t, (0..<t.gridSize).map { t.factors(atIndex: $0) })
        #expect(x.shape == [96, 1, 16, 16])
        for i in 0..<96 { #expect(areaAndCentroid(x, i).area >= 4, "shapes-tiny image \(i) nearly empty") }
        // All 96 images are distinct.
        let images = Set((0..<96).map { i in Array(x.scalars[(i * 256)..<((i + 1) * 256)]) })
        #expect(images.count == 96)
    }

    @Test func noisyAndColorVariantsKeepTheirRanges() {
        let d = DSprites()
        var rng = RandomGenerator(seed: 5)
        let rows = d.sampleFactors(8, rng: &rng)
        let sprite = d.observations(fromFactors: rows, rng: &rng).scalars
        let noisy = NoisyVariant(d).observations(fromFactors: rows, rng: &rng)
        #expect(noisy.shape == [8, 3, 64, 64])
        let nv = noisy.scalars
        #expect(nv.allSatisfy { $0 >= 0 && $0 <= 1 })
        var background = 0.0, backgroundCount = 0
        for i in 0..<8 { for c in 0..<3 { for p in 0..<4096 {
            let v = nv[(i * 3 + c) * 4096 + p]
            if sprite[i * 4096 + p] == 1 { #expect(v == 1) } else { background += Double(v); backgroundCount += 1 }
        } } }
        // Background is U(0, 1): mean 0.5, sd 0.289 / sqrt(~90k) ~ 0.001.
        #expect(Swift.abs(background / Double(backgroundCount) - 0.5) < 0.01)
        #expect(NoisyVariant(d).name == "noisy-dsprites" && ColorVariant(d).name == "color-dsprites")

        let color = ColorVariant(d).observations(fromFactors: rows, rng: &rng)
        let cv = color.scalars
        for i in 0..<8 {
            for c in 0..<3 {
                var values = Set<Float>()
                for p in 0..<4096 {
                    let v = cv[(i * 3 + c) * 4096 + p]
                    if sprite[i * 4096 + p] == 1 { values.insert(v) } else { #expect(v == 0) }
                }
                // One colour per image and channel, in [0.5, 1).
                #expect(values.count == 1 && values.first! >= 0.5 && values.first! < 1, "image \(i) channel \(c): \(values)")
            }
        }
    }

    @Test func storedImagesAreServedBitForBit() {
        // Pack the first 2048 procedural images as if they came from the archive, then read back.
        let d = DSprites()
        let rows = (0..<2048).map { d.factors(atIndex: $0) }
        let bytes = render(d, rows).scalars.map { UInt8($0) }
        let stored = DSprites(packing: bytes)
        #expect(stored.isFromArchive && !d.isFromArchive)
        let pick = [0, 1, 7, 8, 513, 1024, 2047].map { d.factors(atIndex: $0) }
        #expect(render(stored, pick).scalars == render(d, pick).scalars)
    }

    @Test func archiveImagesMustHaveTheFullGrid() {
        #expect(throws: LatentError.self) { try DSprites(images: [UInt8](repeating: 0, count: 4096)) }
        #expect(throws: LatentError.self) { try DSprites.load(npz: "/nonexistent/dsprites.npz") }
    }

    @Test func registryKnowsEveryNameAndListsThemOnError() throws {
        for name in DatasetRegistry.names where name != "fashion-mnist" && name != "idx:PATH" {
            #expect(try DatasetRegistry.dataset(named: name, dspritesArchive: nil).name == name)
        }
        #expect(DatasetRegistry.names.count == 14)
        do {
            _ = try DatasetRegistry.dataset(named: "mnist-typo")
            Issue.record("unknown name accepted")
        } catch let e as LatentError {
            #expect(e.message.contains("mnist-typo") && e.message.contains("two-moons") && e.message.contains("idx:PATH"))
        }
        #expect(throws: LatentError.self) { try DatasetRegistry.groundTruthDataset(named: "8gaussians") }
        #expect(try DatasetRegistry.groundTruthDataset(named: "noisy-dsprites").observationShape == [3, 64, 64])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory + "/t10k-images-idx3-ubyte.gz")))
    func fashionMNISTLoadsWhenInstalled() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.count == 10_000 && test.imageShape == [1, 28, 28])
        #expect(test.labels!.allSatisfy { (0..<10).contains($0) })
    }
}
