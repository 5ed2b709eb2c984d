// swift-tools-version:6.1
import PackageDescription

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
        // libpq, PostgreSQL's own client library, for the postgres_table source; pkg-config finds
        // its headers in /usr/include/postgresql on Debian.
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "SIEMCore", path: "Sources/Core"),
        .target(
            name: "SIEMRegistry",
            dependencies: [
                "SIEMCore",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Sources/Registry"
        ),
        // Keyset reads of a PostgreSQL table; to be folded into the inputs module with its source.
        .target(name: "SIEMPostgres", dependencies: ["SIEMCore", "CPostgres"], path: "Sources/Inputs/PostgreSQL"),
        .target(name: "SIEMFormatters", dependencies: ["SIEMCore"], path: "Sources/Formatters"),
        .target(
            name: "SIEMSinks", dependencies: ["SIEMCore", "CLibCrypto", "CCurl", "CDeflate"], path: "Sources/Sinks"),
        .target(
            name: "SIEMHost",
            dependencies: [
                "SIEMCore", "SIEMRegistry", "SIEMFormatters", "SIEMSinks", "CLibCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Host"
        ),
        .executableTarget(name: "siem-export", dependencies: ["SIEMHost", "CMalloc"], path: "Sources/CLI"),
        // The benchmark's loopback receiver (bench/run.sh); not part of the tool.
        .executableTarget(
            name: "siem-bench-receiver", dependencies: ["SIEMTestSupport", "CMalloc"], path: "Sources/BenchReceiver"),
        .target(
            name: "SIEMTestSupport", dependencies: ["SIEMCore", "CLibCrypto", "CZlib", "CPostgres"],
            path: "Sources/TestSupport"),
        .testTarget(name: "CoreTests", dependencies: ["SIEMCore", "SIEMTestSupport"]),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["SIEMRegistry", "SIEMTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "FormattersTests", dependencies: ["SIEMFormatters", "SIEMTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["SIEMPostgres", "SIEMTestSupport", "CPostgres"]),
        .testTarget(name: "SinksTests", dependencies: ["SIEMSinks", "SIEMTestSupport"]),
        .testTarget(
            name: "HostTests",
            dependencies: ["SIEMHost", "SIEMTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
