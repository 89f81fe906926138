import kernelPackage from "../package.json" with { type: "json" };

/** This kernel's version; plugin manifests' `kernel` ranges are checked against it. */
export const KERNEL_VERSION: string = kernelPackage.version;
