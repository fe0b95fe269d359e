#!/usr/bin/env node
/*
 * Writes data/ec2-instance-types.json: every EC2 instance type, with its CPU architecture and,
 * where known, vCPUs, memory and maximum network interfaces. Run after updating
 * @aws-sdk/client-ec2:
 *
 *   node scripts/ec2-instance-types.js [--describe pages.json ...] [--ec2instances instances.json] \
 *     > data/ec2-instance-types.json
 *
 * Sources, strongest first:
 * 1. `--describe FILE`: output of `aws ec2 describe-instance-types --output json` (one or more
 *    pages). AWS's own answer per type; it overrides everything below. Needs credentials, so
 *    the committed table was made without it (see "specs" in the file).
 * 2. `--ec2instances FILE`: the instances.json dataset of ec2instances.info (Vantage), which is
 *    built from AWS's DescribeInstanceTypes and Price List APIs. The committed table used the
 *    copy in the Go module github.com/cristim/ec2-instances-info at the version in
 *    EC2INSTANCES_MODULE below, fetched from the Go module proxy:
 *
 *      curl -sSfo /tmp/ec2ii.zip https://proxy.golang.org/github.com/cristim/ec2-instances-info/@v/<version>.zip
 *      unzip -p /tmp/ec2ii.zip 'github.com/cristim/*data/instances.json' > /tmp/instances.json
 *
 *    It lags the API model by months (types launched since have no row), so it fills specs only.
 * 3. Names: the InstanceType enum of AWS's EC2 API model, as shipped in @aws-sdk/client-ec2
 *    (the version in package-lock.json). It lists every type the API accepts.
 * 4. Architecture: the naming convention, where a "g" after the generation means Graviton
 *    (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html).
 * 5. vCPUs, memory, ENIs for the families below, from the per-size rules of AWS's
 *    specification tables (https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html,
 *    co.html, mo.html, and ec2-instance-network-specs.html): medium = 1 vCPU, large = 2,
 *    xlarge = 4, Nxlarge = 4N, metal = the family's largest size, metal-Nxl = 4N; memory is the
 *    family's GiB per vCPU; ENIs follow the vCPU count on these Nitro families. Other families'
 *    sizes are irregular; they get specs only from --describe.
 */
'use strict';
const fs = require('fs');
const { _InstanceType } = require('@aws-sdk/client-ec2');
const sdkVersion = require('@aws-sdk/client-ec2/package.json').version;

/** The Go module whose data/instances.json the committed table was made from (source 2). */
const EC2INSTANCES_MODULE = 'github.com/cristim/ec2-instances-info@v0.0.0-20250528091325-32acf84f42eb';

/** GiB of memory per vCPU, by family. */
const RATIO_FAMILIES = {
  m5: 4, m5a: 4, m6i: 4, m6a: 4, m6g: 4, m7i: 4, m7a: 4, m7g: 4,
  c5: 2, c6i: 2, c6a: 2, c6g: 2, c7i: 2, c7a: 2, c7g: 2,
  r5: 8, r6i: 8, r6a: 8, r6g: 8, r7i: 8, r7a: 8, r7g: 8,
};
/** Burstable families: every size is its own row in the general purpose table. */
const BURSTABLE = {
  nano: [2, 512, 2], micro: [2, 1024, 2], small: [2, 2048, 3], medium: [2, 4096, 3],
  large: [2, 8192, 3], xlarge: [4, 16384, 4], '2xlarge': [8, 32768, 4],
};
const BURSTABLE_FAMILIES = ['t3', 't3a', 't4g'];

/** Maximum network interfaces by vCPU count on the Nitro families above (network specs table). */
function enisFor(vcpu) {
  if (vcpu <= 1) return 2;
  if (vcpu <= 2) return 3;
  if (vcpu <= 8) return 4;
  if (vcpu <= 48) return 8;
  return 15;
}

function vcpusOfSize(size, sizes) {
  if (size === 'medium') return 1;
  if (size === 'large') return 2;
  if (size === 'xlarge') return 4;
  let m = /^(\d+)xlarge$/.exec(size);
  if (m) return 4 * Number(m[1]);
  m = /^metal-(\d+)xl$/.exec(size);
  if (m) return 4 * Number(m[1]);
  if (size === 'metal') return Math.max(...sizes.filter((s) => s !== 'metal').map((s) => vcpusOfSize(s, sizes)));
  return undefined;
}

function architectureOf(type) {
  const family = type.split('.')[0];
  if (family === 'mac1' || family === 'mac-m4') return 'x86_64_mac';
  if (/^mac/.test(family)) return 'arm64_mac';
  // a1 (first Graviton), and <class><generation>g<options>: m7g, c6gn, x2gd, im4gn, is4gen, t4g, g5g.
  return /^a1$/.test(family) || /^[a-z]+\d+g[a-z]*$/.test(family) || /^is4gen$/.test(family) ? 'arm64' : 'x86_64';
}

function ruleSpecs(names) {
  const byFamily = new Map();
  for (const name of names) {
    const [family, size] = name.split('.');
    if (!byFamily.has(family)) byFamily.set(family, []);
    byFamily.get(family).push(size);
  }
  const specs = {};
  for (const [family, sizes] of byFamily) {
    if (BURSTABLE_FAMILIES.includes(family)) {
      for (const size of sizes) {
        const row = BURSTABLE[size];
        if (row) specs[`${family}.${size}`] = { vcpu: row[0], memoryMiB: row[1], maxEnis: row[2] };
      }
    } else if (RATIO_FAMILIES[family]) {
      for (const size of sizes) {
        const vcpu = vcpusOfSize(size, sizes);
        if (vcpu === undefined) continue;
        specs[`${family}.${size}`] = { vcpu, memoryMiB: vcpu * RATIO_FAMILIES[family] * 1024, maxEnis: enisFor(vcpu) };
      }
    }
  }
  return specs;
}

function describeSpecs(files) {
  const specs = {};
  for (const file of files) {
    for (const t of JSON.parse(fs.readFileSync(file, 'utf8')).InstanceTypes ?? []) {
      specs[t.InstanceType] = {
        vcpu: t.VCpuInfo.DefaultVCpus,
        memoryMiB: t.MemoryInfo.SizeInMiB,
        maxEnis: t.NetworkInfo.MaximumNetworkInterfaces,
        architectures: t.ProcessorInfo.SupportedArchitectures,
      };
    }
  }
  return specs;
}

/**
 * Specs from ec2instances.info's instances.json: `vCPU`, `memory` (GiB), `vpc.max_enis`, `arch`
 * (SupportedArchitectures). A type the dataset lists without a VPC block gets no ENI count.
 */
function datasetSpecs(files) {
  const specs = {};
  for (const file of files) {
    for (const t of JSON.parse(fs.readFileSync(file, 'utf8'))) {
      if (typeof t.instance_type !== 'string' || typeof t.vCPU !== 'number' || typeof t.memory !== 'number') continue;
      specs[t.instance_type] = {
        vcpu: t.vCPU,
        memoryMiB: Math.round(t.memory * 1024),
        ...(typeof t.vpc?.max_enis === 'number' ? { maxEnis: t.vpc.max_enis } : {}),
        architectures: Array.isArray(t.arch) && t.arch.length ? t.arch : [architectureOf(t.instance_type)],
      };
    }
  }
  return specs;
}

function main(argv) {
  const describeFiles = [];
  const datasetFiles = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--describe') describeFiles.push(argv[++i]);
    else if (argv[i] === '--ec2instances') datasetFiles.push(argv[++i]);
    else throw new Error(`ec2-instance-types: unknown argument ${argv[i]} (use --describe FILE or --ec2instances FILE)`);
  }
  const names = [...new Set(Object.values(_InstanceType))].sort();
  const rules = ruleSpecs(names);
  // AWS's own answer first, then the dataset, then the per-size rules (see the header).
  // Only AWS's own answer may add a type the API model does not list.
  const dataset = datasetSpecs(datasetFiles);
  const fromAws = describeSpecs(describeFiles);
  const types = {};
  for (const name of [...new Set([...names, ...Object.keys(fromAws)])].sort()) {
    const d = fromAws[name] ?? dataset[name];
    const arch = d ? (d.architectures.find((a) => a !== 'i386') ?? d.architectures[0]) : architectureOf(name);
    types[name] = { arch, ...(d ? { vcpu: d.vcpu, memoryMiB: d.memoryMiB, maxEnis: d.maxEnis } : rules[name] ?? {}) };
  }
  const out = {
    source: `names: InstanceType enum of the EC2 API model in @aws-sdk/client-ec2 ${sdkVersion}; architecture: the instance type naming convention (docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html); vcpu/memoryMiB/maxEnis: ${describeFiles.length ? 'aws ec2 describe-instance-types output, else ' : ''}${datasetFiles.length ? `ec2instances.info's instances.json (${EC2INSTANCES_MODULE}), else ` : ''}the per-size rules of the EC2 specification tables for ${BURSTABLE_FAMILIES.length + Object.keys(RATIO_FAMILIES).length} families (scripts/ec2-instance-types.js)`,
    asOf: new Date().toISOString().slice(0, 10),
    generatedBy: 'node scripts/ec2-instance-types.js',
    types,
  };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

main(process.argv.slice(2));
