// Parameter schemas and exact definitions of gmf, mlp, neumf and bpr_mf (torch-free: the networks
// are behind algorithms/torch/ncf_network.hpp). configs/algorithm/<name>.yaml lists the same keys.
#include <memory>

#include "algorithms/neural/neural_recommender.hpp"
#include "algorithms/register_algorithms.hpp"

namespace tailrec {

namespace {

constexpr const char* kGmf =
    "GMF, generalized matrix factorization (He et al., NCF, WWW 2017).\n"
    "p_u, q_i in R^factors (embeddings); y(u,i) = sigmoid(h . (p_u * q_i) + b), * elementwise.\n"
    "Trained on every training pair (label 1) plus `negatives` items per pair drawn uniformly from the user's\n"
    "non-training items (label 0), redrawn every epoch; loss = mean binary cross-entropy + l2 * sum of squared\n"
    "embedding entries; init: embeddings N(0, 0.01), h lecun_uniform, b 0. Ranking score: y(u,i).";
constexpr const char* kMlp =
    "MLP, the multi-layer perceptron of NCF (He et al., WWW 2017).\n"
    "p_u, q_i in R^(layers[0]/2); z_1 = [p_u ; q_i]; z_l = relu(W_l z_(l-1) + b_l) for the sizes layers[1..];\n"
    "y(u,i) = sigmoid(h . z_L + b). Training as gmf; l2 on embeddings, l2_layers on W_l and h;\n"
    "init: embeddings N(0, 0.01), W_l glorot_uniform, h lecun_uniform, biases 0. Ranking score: y(u,i).";
constexpr const char* kNeuMf =
    "NeuMF, GMF and MLP fused before the output layer (He et al., WWW 2017).\n"
    "Separate embeddings for both parts; y(u,i) = sigmoid(h . [p_u * q_i ; z_L] + b).\n"
    "pretrain: true trains a gmf and an mlp (Adam, pretrain_lr, pretrain_epochs; or loads pretrained_gmf / _mlp),\n"
    "copies their embeddings and tower, sets h = [alpha h_gmf ; (1 - alpha) h_mlp], b = alpha b_gmf + (1 - alpha) b_mlp,\n"
    "then trains NeuMF with `optimizer` (the paper: sgd). Training otherwise as gmf / mlp.";
constexpr const char* kBprMf =
    "BPR-MF, matrix factorization with the Bayesian personalized ranking loss (Rendle et al., UAI 2009).\n"
    "x(u,i) = p_u . q_i + b_i; each epoch pairs every training (u, i) with `negatives` items j drawn uniformly\n"
    "from the user's non-training items; loss = mean over the batch of -ln sigmoid(x(u,i) - x(u,j))\n"
    "+ l2 * (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2); init: factors N(0, 0.01), biases 0. Ranking score: x(u,i).";

std::vector<ParamSpec> training_params(int64_t epochs, int64_t batch, int64_t negatives, const std::string& optimizer,
                                       const std::string& l2_help) {
  return {ParamSpec::integer("epochs", epochs, "training epochs (at most, with early stopping)", 1),
          ParamSpec::integer("batch_size", batch, "training instances per optimizer step", 1),
          ParamSpec::integer("negatives", negatives, "negative items drawn per training pair, every epoch", negatives > 0 ? 1 : 0),
          ParamSpec::real("lr", 0.001, "learning rate", 0.0),
          ParamSpec::choice("optimizer", optimizer, {"adam", "sgd"}, "adam (torch's / Keras' defaults: betas 0.9, 0.999, eps 1e-8) or plain sgd"),
          ParamSpec::real("l2", 0.0, l2_help, 0.0),
          ParamSpec::integer("update_epochs", 1,
                             "protocol=replay: epochs of fine-tuning the current weights on each round's new "
                             "interactions alone (negatives avoid all the user's items, same optimizer settings); "
                             "0 = refit from scratch every round", 0)};
}

std::vector<ParamSpec> early_stopping_params() {
  return {ParamSpec::integer("patience", 3,
                             "with a validation carve-out: stop after this many epochs without improvement (0 = train "
                             "every epoch); the best epoch is kept either way", 0),
          ParamSpec::text("metric", "ndcg@10", "validation metric that picks the best epoch (a per-user ranking metric)"),
          ParamSpec::integer("validation_negatives", 0,
                             "validation ranking: 0 = every non-training item; N = each validation item among N sampled "
                             "items (NCF's protocol)", 0),
          ParamSpec::optional("checkpoint", ParamType::String,
                              "a model.pt saved by an earlier run (work/<label>/model.pt of its run folder): load it "
                              "instead of training; null = train")};
}

std::vector<ParamSpec> concat(std::vector<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> out;
  for (auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

ParamSpec layers_param() {
  auto spec = ParamSpec::optional("layers", ParamType::IntList,
                                  "MLP sizes: layers[0] = the user and item embeddings concatenated (layers[0]/2 each), "
                                  "then one ReLU layer per further size");
  YAML::Node sizes(YAML::NodeType::Sequence);
  for (int64_t s : {64, 32, 16, 8}) sizes.push_back(s);
  spec.default_value = sizes;
  return spec;
}

const std::string kTableL2 = "Keras-style L2: l2 * (sum of squared entries of every embedding table) added to the loss";

}  // namespace

void register_neural(Registries& registries) {
  const auto factors = ParamSpec::integer("factors", 8, "embedding size of the GMF part", 1);
  const auto l2_layers = ParamSpec::real("l2_layers", 0.0, "Keras-style L2 on the tower and output weights (not biases)", 0.0);
  registries.algorithms.add({"gmf", kGmf, concat({{factors}, training_params(20, 256, 4, "adam", kTableL2), early_stopping_params()}),
                             [](const Params& p) { return make_neural_recommender(NcfKind::Gmf, p); }});
  registries.algorithms.add(
      {"mlp", kMlp, concat({{layers_param()}, training_params(20, 256, 4, "adam", kTableL2), {l2_layers}, early_stopping_params()}),
       [](const Params& p) { return make_neural_recommender(NcfKind::Mlp, p); }});
  registries.algorithms.add(
      {"neumf", kNeuMf,
       concat({{factors, layers_param()},
               training_params(20, 256, 4, "sgd", kTableL2),
               {l2_layers,
                ParamSpec::boolean("pretrain", true, "initialise from a trained gmf and mlp (He et al. 3.4.1)"),
                ParamSpec::integer("pretrain_epochs", 20, "epochs of the gmf and mlp pretraining (Adam)", 1),
                ParamSpec::real("pretrain_lr", 0.001, "Adam learning rate of the gmf and mlp pretraining", 0.0),
                ParamSpec::real("alpha", 0.5, "trade-off between the pretrained gmf and mlp output layers", 0.0, 1.0),
                ParamSpec::optional("pretrained_gmf", ParamType::String,
                                    "a gmf model.pt to start from instead of pretraining one (relative paths: the run's "
                                    "work folder, e.g. gmf/model.pt); null = pretrain here"),
                ParamSpec::optional("pretrained_mlp", ParamType::String,
                                    "an mlp model.pt, as pretrained_gmf (e.g. mlp/model.pt)")},
               early_stopping_params()}),
       [](const Params& p) { return make_neural_recommender(NcfKind::NeuMf, p); }});
  registries.algorithms.add(
      {"bpr_mf", kBprMf,
       concat({{ParamSpec::integer("factors", 64, "embedding size", 1)},
               training_params(20, 1024, 1, "adam", "per-sample L2: l2 * (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2), averaged over the batch"),
               early_stopping_params()}),
       [](const Params& p) { return make_neural_recommender(NcfKind::BprMf, p); }});
}

}  // namespace tailrec
