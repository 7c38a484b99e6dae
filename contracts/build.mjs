// Compiles zkcred's contracts with the pinned solcjs (package.json) into deterministic
// artifacts: one JSON file per deployable contract, `{contractName, abi, bytecode,
// deployedBytecode, compiler}`.
//
//   node contracts/build.mjs                      # src/*.sol -> out/RootRegistry.json, out/ZkcredGate.json
//   node contracts/build.mjs --check              # exit 1 if out/ differs from a fresh build
//   node contracts/build.mjs --verifier V.sol --out V.json
//                                                 # a verifier rendered by `zkcred export solidity`
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "package.json"));
const solc = require("solc");
const pinned = require(path.join(here, "package.json")).dependencies.solc;

// Changing any of these changes every artifact; docs/chain.md explains the choice.
export const SETTINGS = {
    optimizer: { enabled: true, runs: 1000000 },
    evmVersion: "prague",
    viaIR: true,
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

const DEPLOYABLE = ["RootRegistry", "ZkcredGate"];

function compile(sources, wanted) {
    if (solc.version().split("+")[0] !== pinned) {
        throw new Error(`solc ${solc.version()} is not the pinned ${pinned}`);
    }
    const input = { language: "Solidity", sources, settings: SETTINGS };
    const output = JSON.parse(solc.compile(JSON.stringify(input)));
    const errors = (output.errors || []).filter((e) => e.severity === "error");
    for (const e of output.errors || []) {
        process.stderr.write(e.formattedMessage + "\n");
    }
    if (errors.length > 0) {
        throw new Error(`${errors.length} compile error(s)`);
    }
    const artifacts = {};
    for (const [file, contracts] of Object.entries(output.contracts)) {
        for (const [name, c] of Object.entries(contracts)) {
            if (!wanted.includes(name)) continue;
            artifacts[name] = JSON.stringify(
                {
                    contractName: name,
                    sourceName: file,
                    compiler: `solc ${pinned}`,
                    abi: c.abi,
                    bytecode: "0x" + c.evm.bytecode.object,
                    deployedBytecode: "0x" + c.evm.deployedBytecode.object,
                },
                null,
                2,
            ) + "\n";
        }
    }
    for (const name of wanted) {
        if (!(name in artifacts)) throw new Error(`no contract ${name} in the sources`);
    }
    return artifacts;
}

function repoSources() {
    const dir = path.join(here, "src");
    const sources = {};
    for (const f of fs.readdirSync(dir).sort()) {
        if (f.endsWith(".sol")) {
            sources[`src/${f}`] = { content: fs.readFileSync(path.join(dir, f), "utf8") };
        }
    }
    return sources;
}

const args = process.argv.slice(2);
const flag = (name) => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
};
try {
    if (flag("--verifier")) {
        const file = flag("--verifier");
        const out = flag("--out");
        if (!out) throw new Error("--verifier needs --out");
        const sources = repoSources();
        sources["src/ZkcredVerifier.sol"] = { content: fs.readFileSync(file, "utf8") };
        const artifacts = compile(sources, ["ZkcredVerifier"]);
        fs.writeFileSync(out, artifacts.ZkcredVerifier);
    } else {
        const artifacts = compile(repoSources(), DEPLOYABLE);
        const outDir = path.join(here, "out");
        let differs = [];
        for (const [name, text] of Object.entries(artifacts)) {
            const file = path.join(outDir, `${name}.json`);
            const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
            if (old !== text) differs.push(name);
            if (!args.includes("--check")) {
                fs.mkdirSync(outDir, { recursive: true });
                fs.writeFileSync(file, text);
            }
        }
        if (args.includes("--check") && differs.length > 0) {
            console.error(`contracts/out differs from a fresh build: ${differs.join(", ")}`);
            process.exit(1);
        }
    }
} catch (e) {
    console.error(`build.mjs: ${e.message}`);
    process.exit(1);
}
