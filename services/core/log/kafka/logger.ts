import { logLevel, type logCreator } from 'kafkajs';

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The slice of a pino logger the adapter uses; a pino Logger satisfies it. */
export interface LogSink {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  /** pino level name; kafkajs is told to build only the entries that would be written. */
  level?: string;
}

const pinoToKafkajs: Record<string, logLevel> = {
  fatal: logLevel.ERROR,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
  trace: logLevel.DEBUG,
  silent: logLevel.NOTHING,
};

/** kafkajs log level for a sink: nothing without a sink, so kafkajs is silent by default. */
export function kafkajsLevel(sink: LogSink | undefined): logLevel {
  if (!sink) return logLevel.NOTHING;
  return pinoToKafkajs[sink.level ?? 'info'] ?? logLevel.INFO;
}

/** Routes kafkajs log entries to the sink, tagged `component: 'kafkajs'` with kafkajs' namespace. */
export function kafkajsLogCreator(sink: LogSink | undefined): logCreator {
  return () => (entry) => {
    if (!sink) return;
    const { message, ...fields } = entry.log;
    const obj = { component: 'kafkajs', namespace: entry.namespace, ...fields };
    switch (entry.level) {
      case logLevel.ERROR: sink.error(obj, message); break;
      case logLevel.WARN: sink.warn(obj, message); break;
      case logLevel.INFO: sink.info(obj, message); break;
      default: sink.debug(obj, message);
    }
  };
}
