import type { Weather } from "../dashboard/state.ts";
import { formatReadingTime, weatherLabel } from "../dashboard/format.ts";

const ICONS: Record<string, string> = {
  sunny: "\u2600\uFE0F",
  partly_cloudy: "\u26C5",
  cloudy: "\u2601\uFE0F",
  windy: "\uD83C\uDF2C\uFE0F",
  precipitation: "\uD83C\uDF27\uFE0F",
};

export function WeatherCard({ weather }: { weather: Weather | null }) {
  if (!weather) {
    return (
      <section class="weather weather-empty" aria-label="Weather">
        <span class="weather-temp">--</span>
        <span class="weather-status">Waiting for the weather</span>
      </section>
    );
  }
  return (
    <section class="weather" aria-label="Weather">
      <span class="weather-icon" aria-hidden="true">{ICONS[weather.status] ?? "\u{1F321}"}</span>
      <span class="weather-temp" data-testid="temperature">
        {Math.round(weather.temperature)}&deg;F
      </span>
      <span class="weather-detail">
        <span class="weather-status">{weatherLabel(weather.status)}</span>
        <span class="weather-time">Chicago, {formatReadingTime(weather.timestamp)}</span>
      </span>
    </section>
  );
}
