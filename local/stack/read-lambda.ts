/**
 * The stack's Lambda functions as the local server runs them: runtime, handler,
 * memory, timeout, environment, logging, reserved concurrency, and the code
 * Terraform would upload.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalError } from '../shared/local-error';
import { type FunctionCode, type FunctionModel, LOG_LEVELS, type LogLevel, SYSTEM_LOG_LEVELS, type SystemLogLevel } from './model';
import { firstBlock, isEmpty, ResourceReader } from './read-context';
import type { Declared } from './resolved-document';

export class LambdaReader extends ResourceReader {
  read(resource: Declared): FunctionModel {
    const name = this.str(resource, 'function_name');
    const runtime = this.str(resource, 'runtime', '');
    if (!/^nodejs\d+\.x$/.test(runtime)) {
      throw new LocalError(`${resource.address}.runtime is ${JSON.stringify(runtime)}; the local server runs Node.js functions (nodejs22.x and the like) only.`);
    }
    const reserved = this.optional(resource, 'reserved_concurrent_executions');
    const reservedConcurrency = reserved === undefined || Number(reserved) === -1 ? undefined : Number(reserved);
    if (reservedConcurrency !== undefined && !(Number.isInteger(reservedConcurrency) && reservedConcurrency >= 0)) {
      throw new LocalError(`${resource.address}.reserved_concurrent_executions is ${JSON.stringify(reserved)}; Lambda takes -1 (none reserved) or a whole number from 0.`);
    }
    if (reservedConcurrency === 0) {
      this.notices.push(`${name} has reserved_concurrent_executions = 0, so every invocation is throttled (429 TooManyRequestsException), as in AWS.`);
    }
    const environment = (this.optional(resource, 'environment') as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
    const logging = firstBlock(this.optional(resource, 'logging_config')) as
      | { log_group?: string; log_format?: string; application_log_level?: string; system_log_level?: string }
      | undefined;
    const logFormat = logging?.log_format ?? 'Text';
    if (logFormat !== 'Text' && logFormat !== 'JSON') {
      throw new LocalError(`${resource.address}.logging_config.log_format is ${JSON.stringify(logFormat)}; Lambda takes Text or JSON.`);
    }
    // Lambda's default level when the format is JSON.
    const applicationLogLevel = (logging?.application_log_level || 'INFO').toUpperCase();
    if (!isLogLevel(applicationLogLevel)) {
      throw new LocalError(
        `${resource.address}.logging_config.application_log_level is ${JSON.stringify(logging?.application_log_level)}; Lambda takes ${LOG_LEVELS.join(', ')}.`,
      );
    }
    const systemLogLevel = (logging?.system_log_level || 'INFO').toUpperCase();
    if (!isSystemLogLevel(systemLogLevel)) {
      throw new LocalError(
        `${resource.address}.logging_config.system_log_level is ${JSON.stringify(logging?.system_log_level)}; Lambda takes ${SYSTEM_LOG_LEVELS.join(', ')}.`,
      );
    }
    return {
      address: resource.address,
      name,
      arn: this.document.stringAttribute(resource, 'arn'),
      handler: this.str(resource, 'handler'),
      runtime,
      timeoutSeconds: Number(this.str(resource, 'timeout', '3')),
      memoryMb: Number(this.str(resource, 'memory_size', '128')),
      environment: Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)])),
      code: this.functionCode(resource),
      logGroup: logging?.log_group ?? `/aws/lambda/${name}`,
      reservedConcurrency,
      logFormat,
      applicationLogLevel,
      systemLogLevel,
    };
  }

  /**
   * The code Terraform would upload: the directory or file an archive_file data
   * source zips, or a zip file. Other sources (S3, container images) are refused.
   */
  private functionCode(resource: Declared): FunctionCode {
    for (const unsupported of ['s3_bucket', 'image_uri', 'layers', 'file_system_config']) {
      if (!isEmpty(resource.config[unsupported])) {
        throw new LocalError(`${resource.address}.${unsupported} is set; the local server runs code from a local zip or directory (filename) only.`);
      }
    }
    const raw = resource.config.filename;
    const archiveRef = typeof raw === 'string' ? /^\$\{data\.archive_file\.([\w-]+)\.output_path\}$/.exec(raw) : null;
    if (archiveRef) {
      const archive = this.document.find(`data.archive_file.${archiveRef[1]}`);
      if (!archive) throw new LocalError(`${resource.address}.filename refers to data.archive_file.${archiveRef[1]}, which the stack does not declare.`);
      for (const unsupported of ['source', 'source_content', 'exclude_symlink_directories']) {
        if (!isEmpty(archive.config[unsupported])) {
          throw new LocalError(`${archive.address}.${unsupported} is set; the local server reads archives made from source_dir or source_file only.`);
        }
      }
      if (archive.config.source_dir !== undefined) {
        const dir = path.resolve(this.context.stackDir, this.document.stringAttribute(archive, 'source_dir'));
        if (!fs.existsSync(dir)) throw new LocalError(`${archive.address}.source_dir is ${dir}, which does not exist. Run \`npm run synth\` again.`);
        return { kind: 'directory', dir, excludes: this.excludes(archive) };
      }
      if (archive.config.source_file !== undefined) {
        const file = path.resolve(this.context.stackDir, this.document.stringAttribute(archive, 'source_file'));
        if (!fs.existsSync(file)) throw new LocalError(`${archive.address}.source_file is ${file}, which does not exist. Run \`npm run synth\` again.`);
        return { kind: 'file', file };
      }
      throw new LocalError(`${archive.address} has neither source_dir nor source_file.`);
    }
    if (raw === undefined) throw new LocalError(`${resource.address} has no filename; the local server runs code from a local zip or directory only.`);
    const file = path.resolve(this.context.stackDir, this.document.stringAttribute(resource, 'filename'));
    if (!fs.existsSync(file)) throw new LocalError(`${resource.address}.filename is ${file}, which does not exist. Run \`npm run synth\` again.`);
    return { kind: 'zip', file };
  }

  /** An archive's `excludes`: paths under its source_dir that the zip leaves out. */
  private excludes(archive: Declared): string[] {
    const raw = this.optional(archive, 'excludes');
    if (isEmpty(raw)) return [];
    const excludes = Array.isArray(raw) ? raw : [raw];
    for (const exclude of excludes) {
      if (typeof exclude !== 'string' || GLOB.test(exclude)) {
        throw new LocalError(
          `${archive.address}.excludes holds ${JSON.stringify(exclude)}; the local server leaves out files named by their path under source_dir (index.js.map), not by a pattern. Name each file.`,
        );
      }
    }
    return (excludes as string[]).map((exclude) => path.normalize(exclude));
  }
}

function isSystemLogLevel(level: string): level is SystemLogLevel {
  return (SYSTEM_LOG_LEVELS as readonly string[]).includes(level);
}

/** Characters that make an archive's exclude a pattern rather than a path. */
const GLOB = /[*?[\]{}]/;

function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}
