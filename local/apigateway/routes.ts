/**
 * The REST API's resource tree: each method of the stack, compiled once (its
 * templates, selection patterns, schemas, throttles), and the match of a request's
 * path and method to one, as API Gateway matches them: literal path parts first,
 * then a `{param}`, then a greedy `{proxy+}`; a method, else ANY.
 */
import type { FunctionRuntime } from '../lambda/runtime';
import { percentDecode } from '../shared/http';
import type { IntegrationModel, RouteModel } from '../stack/model';
import { compileSelectionPattern } from './java-regex';
import { compileSchema, type Validator } from './json-schema';
import { TokenBucket } from './token-bucket';
import { compileTemplate, type MappingTemplate } from './velocity';

export interface CompiledIntegrationResponse {
  readonly statusCode: number;
  readonly pattern: RegExp | undefined;
  /** The pattern as the stack writes it. */
  readonly selectionPattern: string | undefined;
  /** undefined: the integration's body passes through. */
  readonly template: MappingTemplate | undefined;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface CompiledRoute {
  readonly model: RouteModel;
  /** The function a Lambda integration invokes; undefined for a MOCK integration. */
  readonly runtime: FunctionRuntime | undefined;
  readonly integration: IntegrationModel;
  readonly requestTemplates: ReadonlyMap<string, MappingTemplate>;
  readonly responses: readonly CompiledIntegrationResponse[];
  readonly defaultResponse: CompiledIntegrationResponse | undefined;
  readonly bodySchemas: ReadonlyMap<string, Validator>;
  readonly requiredParameters: readonly string[];
  readonly buckets: ReadonlyMap<string, TokenBucket>;
}

/** A node of the resource tree: one path part. */
interface ResourceNode {
  readonly literals: Map<string, ResourceNode>;
  param: { readonly name: string; readonly node: ResourceNode } | undefined;
  greedy: { readonly name: string; readonly node: ResourceNode } | undefined;
  /** Methods of the resource this node ends, by HTTP method (ANY included). */
  readonly methods: Map<string, CompiledRoute>;
}

export class RouteTree {
  private readonly root: ResourceNode = newNode();

  /** Adds the method `route` to the tree; returns it compiled. */
  add(route: RouteModel, runtime: FunctionRuntime | undefined): CompiledRoute {
    let node = this.root;
    for (const part of route.resourcePath.split('/').filter(Boolean)) {
      const param = /^\{(\w+)(\+?)\}$/.exec(part);
      if (!param) {
        if (!node.literals.has(part)) node.literals.set(part, newNode());
        node = node.literals.get(part)!;
      } else if (param[2]) {
        node.greedy ??= { name: param[1], node: newNode() };
        node = node.greedy.node;
      } else {
        node.param ??= { name: param[1], node: newNode() };
        node = node.param.node;
      }
    }
    const { integration } = route;
    const responses = integration.responses.map((response): CompiledIntegrationResponse => {
      const [contentType, template] = Object.entries(response.responseTemplates).find(([type]) => type === 'application/json') ??
        Object.entries(response.responseTemplates)[0] ?? ['application/json', ''];
      return {
        statusCode: Number(response.statusCode),
        pattern: response.selectionPattern === undefined ? undefined : compileSelectionPattern(response.selectionPattern, response.address),
        selectionPattern: response.selectionPattern,
        // An empty template is API Gateway's passthrough (the tutorial's `application/json=""`).
        template: template ? compileTemplate(template, `${response.address}.response_templates["${contentType}"]`) : undefined,
        contentType,
        headers: response.headers,
      };
    });
    const validation = route.validation;
    const compiled: CompiledRoute = {
      model: route,
      runtime,
      integration,
      requestTemplates: new Map(
        Object.entries(integration.requestTemplates).map(([type, source]) => [type.toLowerCase(), compileTemplate(source, `request template ${type} of ${route.httpMethod} ${route.resourcePath}`)]),
      ),
      responses: responses.filter((response) => response.pattern !== undefined),
      defaultResponse: responses.find((response) => response.pattern === undefined),
      bodySchemas: new Map(Object.entries(validation?.bodySchemas ?? {}).map(([type, schema]) => [type, compileSchema(schema, `${validation!.where} model for ${type}`)])),
      requiredParameters: validation?.requiredParameters ?? [],
      buckets: new Map([...route.throttles].map(([stage, throttle]) => [stage, new TokenBucket(throttle)])),
    };
    node.methods.set(route.httpMethod, compiled);
    return compiled;
  }

  /** The route a request for `path` with `method` reaches, with its path parameters; undefined if none. */
  match(path: string, method: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    const walk = (node: ResourceNode, index: number): CompiledRoute | undefined => {
      if (index === parts.length) return node.methods.get(method) ?? node.methods.get('ANY');
      const part = parts[index];
      const literal = node.literals.get(part);
      const viaLiteral = literal && walk(literal, index + 1);
      if (viaLiteral) return viaLiteral;
      if (node.param) {
        const viaParam = walk(node.param.node, index + 1);
        if (viaParam) {
          params[node.param.name] = percentDecode(part);
          return viaParam;
        }
      }
      if (node.greedy) {
        const route = node.greedy.node.methods.get(method) ?? node.greedy.node.methods.get('ANY');
        if (route) {
          params[node.greedy.name] = parts.slice(index).map(percentDecode).join('/');
          return route;
        }
      }
      return undefined;
    };
    const route = walk(this.root, 0);
    return route && { route, params };
  }
}

function newNode(): ResourceNode {
  return { literals: new Map(), param: undefined, greedy: undefined, methods: new Map() };
}
