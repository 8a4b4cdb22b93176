import type { ServerDuplexStream, ServiceDefinition } from '@grpc/grpc-js';
import { status as GrpcCode } from '@grpc/grpc-js';
import { toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { protoRegistry } from './convert.js';
import {
  ServerReflectionService, type ServerReflectionRequest, type ServerReflectionResponse,
} from './gen/grpc/reflection/v1/reflection.js';

/**
 * gRPC server reflection (grpc.reflection.v1 and the older v1alpha, same messages) answered from
 * the FileDescriptorSet that `buf build` wrote at generation time, so generic tools (buf curl,
 * grpcurl, Postman) can list and call the services without the .proto files.
 */
export const reflectionV1AlphaService: ServiceDefinition = {
  serverReflectionInfo: {
    ...ServerReflectionService.serverReflectionInfo,
    path: '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo',
  },
};

export function reflectionImplementation(serviceNames: () => string[]) {
  return {
    serverReflectionInfo: (call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>) => {
      call.on('data', (req: ServerReflectionRequest) => {
        call.write({ validHost: req.host, originalRequest: req, ...answer(req, serviceNames) });
      });
      call.on('end', () => call.end());
    },
  };
}

type Answer = Omit<ServerReflectionResponse, 'validHost' | 'originalRequest'>;

function answer(req: ServerReflectionRequest, serviceNames: () => string[]): Answer {
  if (req.listServices !== undefined) {
    return { listServicesResponse: { service: serviceNames().map((name) => ({ name })) } };
  }
  if (req.fileByFilename !== undefined) {
    const file = protoRegistry().getFile(req.fileByFilename);
    return file ? filesResponse(file) : notFound(`file not found: ${req.fileByFilename}`);
  }
  if (req.fileContainingSymbol !== undefined) {
    const file = fileOfSymbol(req.fileContainingSymbol);
    return file ? filesResponse(file) : notFound(`symbol not found: ${req.fileContainingSymbol}`);
  }
  if (req.fileContainingExtension !== undefined) {
    return notFound(`extension not found: ${req.fileContainingExtension.containingType}(${req.fileContainingExtension.extensionNumber})`);
  }
  if (req.allExtensionNumbersOfType !== undefined) {
    const type = req.allExtensionNumbersOfType;
    if (!protoRegistry().getMessage(type)) return notFound(`type not found: ${type}`);
    return { allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: [] } };
  }
  return { errorResponse: { errorCode: GrpcCode.INVALID_ARGUMENT, errorMessage: 'no request set' } };
}

function notFound(message: string): Answer {
  return { errorResponse: { errorCode: GrpcCode.NOT_FOUND, errorMessage: message } };
}

/** A message, enum, service, or a method or field inside one (pkg.Service.Method). */
function fileOfSymbol(symbol: string): DescFile | undefined {
  const name = symbol.replace(/^\./, '');
  const desc = protoRegistry().get(name);
  if (desc && 'file' in desc) return desc.file;
  const parent = name.slice(0, Math.max(0, name.lastIndexOf('.')));
  const owner = parent ? protoRegistry().get(parent) : undefined;
  return owner && (owner.kind === 'service' || owner.kind === 'message' || owner.kind === 'enum') ? owner.file : undefined;
}

/** The file first, then its imports transitively, as reflection clients expect. */
function filesResponse(file: DescFile): Answer {
  const out: DescFile[] = [];
  const seen = new Set<string>();
  const visit = (f: DescFile): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    out.push(f);
    for (const dep of f.dependencies) visit(dep);
  };
  visit(file);
  return { fileDescriptorResponse: { fileDescriptorProto: out.map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) } };
}
