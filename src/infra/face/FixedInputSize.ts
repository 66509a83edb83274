/**
 * A model's bytes with the height and width of its image input fixed, for a session made for that
 * size (DetectorSessions.ts says why). Only the input's declared shape changes; the weights and
 * graph are the verified file's.
 */
import onnxProto from "onnx-proto"

const { onnx } = onnxProto

/** The model with its first input's dims 2 and 3 (NCHW height and width) fixed; a non 4-D input is refused. */
export const withFixedInputSize = (bytes: Uint8Array, height: number, width: number): Uint8Array => {
  const model = onnx.ModelProto.decode(bytes)
  const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim
  if (dims?.length !== 4) throw new Error("the model's input is not a 4-D image tensor")
  dims[2] = onnx.TensorShapeProto.Dimension.create({ dimValue: height })
  dims[3] = onnx.TensorShapeProto.Dimension.create({ dimValue: width })
  return onnx.ModelProto.encode(model).finish()
}
