/**
 * Capability probes for the model runtimes. A runtime is reported available only after it was
 * actually loaded; the reason says what ran or why it could not.
 */
export interface RuntimeProbe {
  available: boolean;
  reason: string;
}

let cached: Promise<{ onnxruntime: RuntimeProbe; tfjs: RuntimeProbe }> | undefined;

async function probeOnnx(): Promise<RuntimeProbe> {
  try {
    const ort = (await import('onnxruntime-node')) as unknown as {
      env: { versions?: { common?: string } };
      listSupportedBackends?: () => { name: string }[];
    };
    const backends = ort.listSupportedBackends?.().map((b) => b.name) ?? [];
    return {
      available: true,
      reason: `onnxruntime-node loaded; CPU execution provider (listed backends: ${backends.join(', ') || 'cpu'}; CUDA needs the CUDA 12 libraries, see README)`,
    };
  } catch (error) {
    return {
      available: false,
      reason: `onnxruntime-node could not load: ${(error as Error).message}`,
    };
  }
}

async function probeTfjs(): Promise<RuntimeProbe> {
  const name = '@tensorflow/tfjs-node-gpu';
  try {
    await import(/* @vite-ignore */ name);
    return { available: true, reason: `${name} loaded` };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    return {
      available: false,
      reason: `${name} is not available (${message}); its install needs to download libtensorflow, which this machine could not reach`,
    };
  }
}

export function probeRuntimes(): Promise<{ onnxruntime: RuntimeProbe; tfjs: RuntimeProbe }> {
  cached ??= Promise.all([probeOnnx(), probeTfjs()]).then(([onnxruntime, tfjs]) => ({
    onnxruntime,
    tfjs,
  }));
  return cached;
}
