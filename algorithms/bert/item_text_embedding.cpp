#include "algorithms/bert/item_text_embedding.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>

#include "algorithms/bert/embedding_cache.hpp"
#include "algorithms/bert/model_location.hpp"
#include "framework/config/config.hpp"
#include "framework/run/shared_work.hpp"
#include "framework/util/check.hpp"
#include "framework/util/error.hpp"
#include "framework/util/hashing.hpp"
#include "framework/util/logger.hpp"
#include "framework/util/progress.hpp"
#include "framework/util/strings.hpp"

namespace tailrec {

namespace {

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

}  // namespace

std::vector<ParamSpec> text_embedding_params() {
  return {
      ParamSpec::text("model", "sentence-transformers/all-MiniLM-L6-v2",
                      "BERT checkpoint: a folder in Hugging Face layout (config.json, vocab.txt, model.safetensors), "
                      "or a model id fetched with `tailrec model fetch` into $TAILREC_MODEL_DIR (else "
                      "~/.cache/tailrec/models)"),
      fields_param("text fields and their weights. concat joins the non-empty fields (in this order) with \". \"; "
                   "mean averages per-field embeddings with these weights. Default fields missing from a dataset "
                   "are skipped"),
      ParamSpec::choice("fusion", "concat", {"concat", "mean"},
                        "concat: one text per item (weights must be 1); mean: weighted mean of per-field embeddings, "
                        "empty fields skipped"),
      ParamSpec::choice("pooling", "auto", {"auto", "mean", "cls", "max", "pooler"},
                        "how token states become one vector; auto = the checkpoint's (sentence-transformers "
                        "1_Pooling, else mean)"),
      ParamSpec::choice("normalize", "auto", {"auto", "true", "false"},
                        "L2-normalise each embedding; auto = the checkpoint's (a sentence-transformers Normalize "
                        "module)"),
      ParamSpec::integer("max_length", 0,
                         "tokens per text, [CLS] and [SEP] included (longer texts are truncated); 0 = the "
                         "checkpoint's max_seq_length, else model_max_length, capped by max_position_embeddings",
                         0, 8192),
      ParamSpec::integer("batch_size", 32, "texts per encoder batch (sorted by length to limit padding)", 1, 65536),
      ParamSpec::choice("precision", "fp32", {"fp32", "fp16", "bf16"},
                        "encoder arithmetic; fp16 and bf16 need run.device=cuda. Outputs are float32"),
      ParamSpec::boolean("cache", true,
                         "keep item embeddings in <run.cache_dir>/embeddings (keyed by model fingerprint, fusion "
                         "and texts) when run.cache is on"),
  };
}

TextEmbeddingSettings parse_text_embedding_settings(const Params& params) {
  TextEmbeddingSettings s;
  try {
    s.model = resolve_model_location(params.text("model"));
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    params.fail_at("model", e.what());
  }
  s.fields = FieldSelection::parse(params);
  s.fusion = params.text("fusion") == "mean" ? FieldFusion::Mean : FieldFusion::Concat;
  if (s.fusion == FieldFusion::Concat)
    for (const auto& f : s.fields.fields)
      if (f.weight != 1.0)
        params.fail_at("fields", fmt::format("field weights only apply to fusion: mean (concat encodes one joined "
                                             "text per item); set fusion: mean or give every field weight 1 (got {})",
                                             s.fields.text()));
  if (const auto pooling = params.text("pooling"); pooling != "auto") s.embed.pooling = parse_pooling(pooling);
  if (const auto normalize = params.text("normalize"); normalize != "auto") s.embed.normalize = normalize == "true";
  s.embed.max_length = static_cast<int>(params.integer("max_length"));
  if (s.embed.max_length == 1)
    params.fail_at("max_length", "1 leaves no room for [CLS] and [SEP]; use 0 (automatic) or at least 2");
  s.embed.batch_size = static_cast<int>(params.integer("batch_size"));
  s.embed.precision = parse_precision(params.text("precision"));
  s.cache = params.boolean("cache");
  return s;
}

namespace {
ItemEmbeddings compute_item_embeddings(const TextEmbeddingSettings& settings, const FitContext& context,
                                       std::string_view algorithm) {
  Logger& log = context.log ? *context.log : Logger::null();
  const int32_t items = context.train.num_items();
  if (context.content.num_items() != items)
    fail("{}: the item content covers {} items but the catalog has {}", algorithm, context.content.num_items(), items);
  const auto fields = settings.fields.present(context.content, algorithm);

  // What the encoder sees: one text per item (concat) or per non-empty (item, field) (mean).
  std::vector<std::string> texts;
  std::vector<int32_t> text_item;
  std::vector<double> text_weight;
  std::vector<char> has_text(static_cast<size_t>(items), 0);
  for (int32_t i = 0; i < items; ++i) {
    std::string joined;
    for (const auto& f : fields) {
      const auto& value = context.content.value(f.field, i);
      if (blank(value)) continue;
      has_text[static_cast<size_t>(i)] = 1;
      if (settings.fusion == FieldFusion::Mean) {
        texts.push_back(value);
        text_item.push_back(i);
        text_weight.push_back(f.weight);
      } else {
        if (!joined.empty()) joined += ". ";
        joined += value;
      }
    }
    if (settings.fusion == FieldFusion::Concat && !joined.empty()) {
      texts.push_back(std::move(joined));
      text_item.push_back(i);
      text_weight.push_back(1.0);
    }
  }
  ItemEmbeddings result;
  result.empty_items = static_cast<int32_t>(std::count(has_text.begin(), has_text.end(), 0));
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.field);
  log.info("{}: {} items, fields {} (fusion {}), {} texts to encode; {} items have no text, get a zero embedding "
           "and score 0",
           algorithm, items, fields_text(fields), settings.fusion == FieldFusion::Mean ? "mean" : "concat",
           texts.size(), result.empty_items);

  EmbedOptions options = settings.embed;
  options.threads = context.threads;
  options.cuda = context.device == Device::Cuda;
  std::optional<TextEmbedder> embedder;
  try {
    embedder.emplace(settings.model, options);
  } catch (const Error& e) {
    fail("{}: {}", algorithm, e.what());
  }
  const int64_t dim = embedder->dimension();
  log.info("{}: model {} (hidden {}, {} layers), pooling {}, normalize {}, max_length {}, {} on {}", algorithm,
           settings.model.string(), dim, embedder->checkpoint().config.num_hidden_layers,
           pooling_name(embedder->pooling()), embedder->normalize(), embedder->max_length(),
           precision_name(options.precision), options.cuda ? "cuda" : "cpu");

  // The cache key covers the embedder, the fusion recipe and every selected field value in order.
  std::filesystem::path cache_file;
  std::string key;
  const bool use_cache = settings.cache && !context.cache_dir.empty();
  if (use_cache) {
    std::vector<std::string> values;
    values.reserve(static_cast<size_t>(items) * fields.size());
    for (int32_t i = 0; i < items; ++i)
      for (const auto& f : fields) values.push_back(context.content.value(f.field, i));
    const auto recipe = fmt::format("fusion={};fields={};items={}",
                                    settings.fusion == FieldFusion::Mean ? "mean" : "concat", fields_text(fields), items);
    key = embedding_cache_key(embedder->fingerprint(), recipe, values);
    cache_file = embedding_cache_file(context.cache_dir, key);
    auto cached = load_embedding_cache(cache_file, key);
    if (cached.embeddings && (cached.embeddings->rows != items || cached.embeddings->dim != dim)) {
      cached.problem = fmt::format("holds {} x {} values, expected {} x {}", cached.embeddings->rows,
                                   cached.embeddings->dim, items, dim);
      cached.embeddings.reset();
    }
    if (cached.embeddings) {
      log.info("embedding cache hit: {}", cache_file.string());
      result.matrix = std::move(*cached.embeddings);
      return result;
    }
    if (!cached.problem.empty())
      log.warn("embedding cache file {} {}; it is ignored and the embeddings are recomputed", cache_file.string(),
               cached.problem);
  }

  const auto t0 = std::chrono::steady_clock::now();
  Embeddings encoded;
  {
    ProgressBar bar(fmt::format("{} encoding", algorithm), true);
    try {
      encoded = embedder->embed(texts, [&bar](int64_t done, int64_t total) { bar.update(done, total); });
    } catch (const Error& e) {
      fail("{}: {}", algorithm, e.what());
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  TAILREC_CHECK(encoded.rows == static_cast<int64_t>(texts.size()) && (encoded.rows == 0 || encoded.dim == dim),
                "{} texts encoded into {} x {} values", texts.size(), encoded.rows, encoded.dim);

  // Rows of the item matrix: the text's embedding (concat), or the weighted mean of the item's field
  // embeddings (mean), summed in double in field order.
  Embeddings& m = result.matrix;
  m.rows = items;
  m.dim = dim;
  m.values.assign(static_cast<size_t>(items * dim), 0.0f);
  std::vector<double> sum(static_cast<size_t>(dim));
  for (size_t t = 0; t < texts.size();) {
    const int32_t item = text_item[t];
    std::fill(sum.begin(), sum.end(), 0.0);
    double total_weight = 0;
    for (; t < texts.size() && text_item[t] == item; ++t) {
      const auto row = encoded.row(static_cast<int64_t>(t));
      for (size_t d = 0; d < sum.size(); ++d) sum[d] += text_weight[t] * row[d];
      total_weight += text_weight[t];
    }
    float* out = m.values.data() + static_cast<size_t>(item) * static_cast<size_t>(dim);
    for (size_t d = 0; d < sum.size(); ++d) out[d] = static_cast<float>(sum[d] / total_weight);
  }

  if (!use_cache) {
    log.info("{}: encoded {} texts in {:.2f} s (embedding cache off)", algorithm, texts.size(), seconds);
    return result;
  }
  try {
    save_embedding_cache(cache_file, key, m);
    log.info("embedding cache miss: encoded {} texts in {:.2f} s, stored {}", texts.size(), seconds,
             cache_file.string());
  } catch (const Error& e) {
    log.warn("embedding cache miss: encoded {} texts in {:.2f} s, but the cache was not written ({}); the run goes on",
             texts.size(), seconds, e.what());
  }
  return result;
}

}  // namespace

ItemEmbeddings embed_item_texts(const TextEmbeddingSettings& settings, const FitContext& context,
                                std::string_view algorithm) {
  if (!context.shared) return compute_item_embeddings(settings, context, algorithm);
  // In a sweep, jobs with the same model, encoder settings and item texts get the same matrix:
  // it is encoded (or read from the disk cache) once, by the first job that needs it.
  Hasher key;
  key.text("item_embeddings")
      .text(std::filesystem::absolute(settings.model).string())
      .text(settings.fusion == FieldFusion::Mean ? "mean" : "concat")
      .text(settings.embed.pooling ? pooling_name(*settings.embed.pooling) : "auto")
      .text(settings.embed.normalize ? (*settings.embed.normalize ? "true" : "false") : "auto")
      .text(fmt::format("{}|{}|{}|{}", settings.embed.max_length, settings.embed.batch_size,
                        precision_name(settings.embed.precision), context.device == Device::Cuda ? "cuda" : "cpu"));
  const auto fields = settings.fields.present(context.content, algorithm);
  key.text(fields_text(fields));
  for (int32_t i = 0; i < context.content.num_items(); ++i)
    for (const auto& f : fields) key.text(context.content.value(f.field, i));
  const std::function<ItemEmbeddings()> compute = [&] { return compute_item_embeddings(settings, context, algorithm); };
  return *context.shared->get<ItemEmbeddings>(key.hex(), compute);
}

}  // namespace tailrec
