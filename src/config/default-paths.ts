// The two paths the CLI needs without reading a config: the daemon's default
// socket and the default config file. They live here, with no imports, so the
// CLI's bundle does not carry the config tables and YAML's parser (260 KB)
// to learn one string; daemon-fields.ts takes its socket default from here.
export const DEFAULT_SOCKET = '/run/taskmaster/taskmaster.sock';
export const DEFAULT_CONFIG_FILE = '/etc/taskmaster/taskmaster.yaml';
