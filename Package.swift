// swift-tools-version:6.2
import PackageDescription

/// The project's own Swift targets: `any` spelled out for every existential, and no warning left
/// standing (dependencies keep their own settings).
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .treatAllWarnings(as: .error)]

let package = Package(
    name: "SIEMExport",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "siem-export", targets: ["siem-export"]),
        .library(name: "SIEMCore", targets: ["SIEMCore"]),
        .library(name: "SIEMTestSupport", targets: ["SIEMTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libcrypto (OpenSSL) for the HMAC-SHA256 that Sentinel's shared-key signature needs.
        .systemLibrary(
            name: "CLibCrypto",
            path: "Sources/CLibCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // libcurl, the HTTP transport of every network sink.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib, for the tests' receivers to inflate gzip bodies with a library other than the one
        // that compressed them.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // libdeflate, for gzip request bodies: whole-buffer DEFLATE, about twice zlib's speed at
        // level 1, and a request body is always a whole buffer.
        .systemLibrary(name: "CDeflate", path: "Sources/CDeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // librdkafka, the Kafka producer under the kafka sink; its mock cluster (rdkafka_mock.h)
        // is what the tests produce to.
        .systemLibrary(name: "CRdKafka", path: "Sources/CRdKafka", providers: [.apt(["librdkafka-dev"])]),
        // libpq, PostgreSQL's own client library, for the postgres_table source; pkg-config finds
        // its headers in /usr/include/postgresql on Debian.
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "SIEMCore", path: "Sources/Core", swiftSettings: strict),
        .target(
            name: "SIEMInputs",
            dependencies: [
                "SIEMCore", "CPostgres",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Sources/Inputs", swiftSettings: strict),
        .target(name: "SIEMFormatters", dependencies: ["SIEMCore"], path: "Sources/Formatters", swiftSettings: strict),
        .target(
            name: "SIEMSinks", dependencies: ["SIEMCore", "CLibCrypto", "CCurl", "CDeflate", "CRdKafka"],
            path: "Sources/Sinks", swiftSettings: strict),
        .target(
            name: "SIEMHost",
            dependencies: [
                "SIEMCore", "SIEMInputs", "SIEMFormatters", "SIEMSinks", "CLibCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Host", swiftSettings: strict),
        .executableTarget(
            name: "siem-export", dependencies: ["SIEMHost", "CMalloc"], path: "Sources/CLI", swiftSettings: strict),
        // The benchmark's loopback receiver (bench/run.sh); not part of the tool.
        .executableTarget(
            name: "siem-bench-receiver", dependencies: ["SIEMTestSupport", "CMalloc"], path: "Sources/BenchReceiver",
            swiftSettings: strict),
        .target(
            name: "SIEMTestSupport",
            dependencies: ["SIEMCore", "SIEMInputs", "CLibCrypto", "CZlib", "CRdKafka", "CPostgres"],
            path: "Sources/TestSupport",
            swiftSettings: strict),
        .testTarget(name: "CoreTests", dependencies: ["SIEMCore", "SIEMTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "InputsTests",
            dependencies: [
                "SIEMInputs", "SIEMTestSupport", "CPostgres", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "FormattersTests", dependencies: ["SIEMFormatters", "SIEMInputs", "SIEMTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "SinksTests", dependencies: ["SIEMSinks", "SIEMFormatters", "SIEMTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HostTests",
            dependencies: ["SIEMHost", "SIEMTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
