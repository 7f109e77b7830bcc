import Foundation
import Testing
@testable import Latent

/// PNG decoding and the report's image check.
@Suite struct ReportTests {
    @Test func pngRoundTripAndCorruption() throws {
        var img = RGBImage(width: 17, height: 9)
        for y in 0..<9 { for x in 0..<17 { img[x, y] = RGBImage.Color(UInt8(x * 15), UInt8(y * 28), UInt8((x * y) % 256)) } }
        let data = img.pngData()
        #expect(try RGBImage.decodePNG(data, name: "a.png") == img)
        let plot = Plot.lines(title: "loss", series: [("x", [0, 1, 2], [1, 0.5, 0.2])])
        #expect(try RGBImage.decodePNG(plot.pngData(), name: "plot.png") == plot)
        var bad = [UInt8](data)
        bad[40] ^= 0xFF                                  // inside IDAT: the CRC no longer matches
        #expect(throws: LatentError.self) { try RGBImage.decodePNG(Data(bad), name: "bad.png") }
        #expect(throws: LatentError.self) { try RGBImage.decodePNG(Data([UInt8](data).prefix(30)), name: "short.png") }
    }

    @Test func reportReferencesOnlyImagesThatDecode() throws {
        let dir = temporaryDirectory("report")
        try RGBImage(width: 4, height: 4).writePNG(dir + "/images/a.png")
        var r = HTMLReport(title: "t <demo>")
        r.section("S", text: ["x & y"], images: [("images/a.png", "ok")], tables: [(["k", "v"], [["nll", "1.0"]])])
        try r.write(to: dir + "/report.html")
        #expect(try HTMLReport.verifyImages(ofPage: dir + "/report.html").isEmpty)
        let html = String(decoding: FileManager.default.contents(atPath: dir + "/report.html")!, as: UTF8.self)
        #expect(html.contains("t &lt;demo&gt;") && html.contains("<td>nll</td>"))
        r.section("T", images: [("images/missing.png", "gone")])
        FileManager.default.createFile(atPath: dir + "/images/b.png", contents: Data("not a png".utf8))
        r.section("U", images: [("images/b.png", "broken")])
        try r.write(to: dir + "/report.html")
        let problems = try HTMLReport.verifyImages(ofPage: dir + "/report.html")
        #expect(problems.count == 2, "\(problems)")
    }
}
