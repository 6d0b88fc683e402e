/**
 * The TFLite model metadata (`metadata_schema.fbs`, file identifier `M001`) that MediaPipe's
 * tasks API reads from an image model's input tensor: an RGB image, normalised as
 * (x - mean) / std. The `@mediapipe/hands` networks are float32 models without it, and the
 * tasks API refuses them ("Input tensor has type float32: it requires specifying
 * NormalizationOptions metadata"). Field indices are the schema's declaration order.
 */
import { Builder } from 'flatbuffers';

/** `ContentProperties` union: FeatureProperties = 1, ImageProperties = 2, BoundingBox = 3. */
const CONTENT_IMAGE_PROPERTIES = 2;
/** `ProcessUnitOptions` union: NormalizationOptions = 1. */
const PROCESS_NORMALIZATION = 1;
/** `ColorSpaceType` enum: RGB = 1. */
const COLOR_SPACE_RGB = 1;

export interface ImageInputMetadata {
  name: string;
  description: string;
  /** Per-channel normalisation: the model sees (pixel - mean) / std. */
  mean: readonly number[];
  std: readonly number[];
}

/** Serialise a ModelMetadata flatbuffer describing one RGB image input. */
export function imageInputMetadata(input: ImageInputMetadata): Uint8Array {
  const b = new Builder(512);
  const floats = (values: readonly number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i -= 1) b.addFloat32(values[i]!);
    return b.endVector();
  };
  const offsets = (values: readonly number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i -= 1) b.addOffset(values[i]!);
    return b.endVector();
  };

  // NormalizationOptions { mean: [float]; std: [float] }
  const mean = floats(input.mean);
  const std = floats(input.std);
  b.startObject(2);
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const normalization = b.endObject();
  // ProcessUnit { options_type; options }
  b.startObject(2);
  b.addFieldInt8(0, PROCESS_NORMALIZATION, 0);
  b.addFieldOffset(1, normalization, 0);
  const processUnit = b.endObject();
  // ImageProperties { color_space; default_size }
  b.startObject(2);
  b.addFieldInt8(0, COLOR_SPACE_RGB, 0);
  const imageProperties = b.endObject();
  // Content { content_properties_type; content_properties; range }
  b.startObject(3);
  b.addFieldInt8(0, CONTENT_IMAGE_PROPERTIES, 0);
  b.addFieldOffset(1, imageProperties, 0);
  const content = b.endObject();
  // TensorMetadata { name; description; dimension_names; content; process_units; … }
  const tensorName = b.createString('image');
  const processUnits = offsets([processUnit]);
  b.startObject(7);
  b.addFieldOffset(0, tensorName, 0);
  b.addFieldOffset(3, content, 0);
  b.addFieldOffset(4, processUnits, 0);
  const tensor = b.endObject();
  // SubGraphMetadata { name; description; input_tensor_metadata; … }
  const inputs = offsets([tensor]);
  b.startObject(5);
  b.addFieldOffset(2, inputs, 0);
  const subgraph = b.endObject();
  // ModelMetadata { name; description; version; subgraph_metadata; …; min_parser_version }
  const name = b.createString(input.name);
  const description = b.createString(input.description);
  const subgraphs = offsets([subgraph]);
  const parserVersion = b.createString('1.0.0');
  b.startObject(8);
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, subgraphs, 0);
  b.addFieldOffset(7, parserVersion, 0);
  const root = b.endObject();
  b.finish(root, 'M001');
  return b.asUint8Array().slice();
}
